import { z } from 'zod';

/** One entry of the allow-list: a host (any port, or `*.example.com` for its subdomains) or host:port. */
export interface AllowedHost {
  hostname: string;
  port?: number;
}

// `[::1]:8080`, `example.com`, `*.example.com:8443`: the host part is normalised by the WHATWG URL
// parser (case, IDN, IPv6), the port is kept as written (the parser drops a scheme's default port).
const ENTRY = /^(\[[0-9a-fA-F:.]+\]|[^:\s/?#@[\]]+)(?::(\d{1,5}))?$/;

function parseEntry(entry: string): AllowedHost | undefined {
  const m = ENTRY.exec(entry);
  if (!m?.[1]) return undefined;
  let hostname: string;
  try {
    hostname = new URL(`http://${m[1]}`).hostname;
  } catch {
    return undefined;
  }
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65_535)) return undefined;
  return { hostname, ...(port !== undefined && { port }) };
}

const HostList = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const entries = (value ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    const hosts: AllowedHost[] = [];
    for (const entry of entries) {
      const host = parseEntry(entry);
      if (host) hosts.push(host);
      else ctx.addIssue({ code: 'custom', message: `"${entry}" is not a host or host:port` });
    }
    return hosts;
  });

const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.string().min(16, 'must be at least 16 characters').optional());

/**
 * Worker configuration of completion callbacks, parsed with the providers' settings
 * (activities/config.ts). Never part of a workflow's input or history: the secret signs, the
 * allow-list decides where this worker may send requests at all.
 */
export const callbackEnvShape = {
  /** Comma-separated hosts (any port) or host:port that may receive callbacks; empty: none. */
  CANCELLATIONS_CALLBACK_HOSTS: HostList,
  /** The HMAC-SHA256 key of the `Cancellations-Signature` header. */
  CANCELLATIONS_CALLBACK_SECRET: optionalSecret,
  /** A receiver slower than this is treated as unavailable and tried again later. */
  CANCELLATIONS_CALLBACK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /**
   * First retry interval of a failed delivery (default in workflows/retry-policies.ts); it doubles
   * up to an hour, for up to 24 hours.
   */
  CANCELLATIONS_CALLBACK_FIRST_RETRY_MS: z.coerce.number().int().min(100).max(3_600_000).optional(),
};

/** The callback settings alone (the worker parses them with the providers' in activities/config.ts). */
export const CallbackEnvSchema = z.object(callbackEnvShape);
type CallbackEnv = z.output<typeof CallbackEnvSchema>;

export interface CallbackSettings {
  allowedHosts: AllowedHost[];
  secret: string | undefined;
  timeoutMs: number;
  firstRetryMs: number | undefined;
}

export function callbackSettings(env: CallbackEnv): CallbackSettings {
  return {
    allowedHosts: env.CANCELLATIONS_CALLBACK_HOSTS,
    secret: env.CANCELLATIONS_CALLBACK_SECRET,
    timeoutMs: env.CANCELLATIONS_CALLBACK_TIMEOUT_MS,
    firstRetryMs: env.CANCELLATIONS_CALLBACK_FIRST_RETRY_MS,
  };
}

/** Whether the allow-list lets this worker send to `url` (already parsed). */
export function isAllowed(url: URL, allowed: readonly AllowedHost[]): boolean {
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return allowed.some((entry) => {
    if (entry.port !== undefined && entry.port !== port) return false;
    if (entry.hostname.startsWith('*.')) {
      const suffix = entry.hostname.slice(1);
      return url.hostname.endsWith(suffix) && url.hostname.length > suffix.length;
    }
    return entry.hostname === url.hostname;
  });
}
