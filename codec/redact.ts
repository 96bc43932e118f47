import { type LogLevel, type LogMetadata, type Logger } from '@temporalio/common';
import { parseEncryptionKeys } from './config';

// Worker logs must not carry credentials. Activities never log them, but errors can (an HTTP
// library error with its request options, a provider echoing a header): every log line and its
// metadata pass through here first.

export const REDACTED = '[REDACTED]';

/** Metadata keys whose values are always hidden, whatever they hold. */
const SECRET_KEY = /authorization|api[-_]?key|apikey|password|passwd|secret|token|cookie|credential/i;
/** Textual forms: `Authorization: Bearer x`, `REB-APIKEY: x`, `"access_token":"x"`, `password=x`. */
const SECRET_PATTERNS: RegExp[] = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi,
  /\b(authorization|proxy-authorization|reb-apikey|x-api-key|api[-_]?key|cookie)(["']?\s*[:=]\s*["']?)(?!\[REDACTED\]|Bearer\s|Basic\s)[^"',;\s}]+/gi,
  /\b(access_token|refresh_token|client_secret|password|token)(["']?\s*[:=]\s*["']?)(?!\[REDACTED\])[^"',;&\s}]+/gi,
];

/** Environment variables whose values are secrets. */
const SECRET_VARIABLE = /(SECRET|PASSWORD|API_KEY|TOKEN|ENCRYPTION_KEYS|HASH_KEY)$/;

/** The secret values configured in the environment (provider credentials, keys, tokens). */
export function secretValuesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || !SECRET_VARIABLE.test(name)) continue;
    out.add(value);
    if (name === 'CANCELLATIONS_ENCRYPTION_KEYS') {
      try {
        for (const key of parseEncryptionKeys(value).values()) {
          out.add(key.toString('base64'));
          out.add(key.toString('base64url'));
        }
      } catch {
        // Invalid keys are reported by the configuration loader; the raw value is redacted anyway.
      }
    }
  }
  return [...out].filter((s) => s.length >= 6);
}

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  out = out.replace(SECRET_PATTERNS[0]!, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  for (const pattern of SECRET_PATTERNS.slice(1))
    out = out.replace(pattern, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`);
  return out;
}

/** A copy of the value with secret values and secret-looking fields hidden. */
export function redactValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '[…]';
  if (value instanceof Error) {
    const error: Record<string, unknown> = {
      name: value.name,
      message: redactText(value.message, secrets),
      ...(value.stack && { stack: redactText(value.stack, secrets) }),
    };
    for (const [k, v] of Object.entries(value)) {
      // got attaches the whole request (headers included) as `options`, `request` and `response`.
      if (k === 'options' || k === 'request' || k === 'response' || k === 'timings') continue;
      error[k] = SECRET_KEY.test(k) ? REDACTED : redactValue(v, secrets, depth + 1);
    }
    if (value.cause !== undefined) error.cause = redactValue(value.cause, secrets, depth + 1);
    return error;
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  if (ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>))
    out[k] = SECRET_KEY.test(k) && v !== undefined ? REDACTED : redactValue(v, secrets, depth + 1);
  return out;
}

/** Wraps a logger so that nothing it writes carries a configured secret or a credential header. */
export function redactingLogger(inner: Logger, secrets: readonly string[]): Logger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) =>
    inner.log(level, redactText(message, secrets), meta && (redactValue(meta, secrets) as LogMetadata));
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}
