import { z } from 'zod';

// Data-protection settings, read from the environment like the rest of the configuration.
// Every error names the variable, never its value: these are secrets.

export class DataProtectionConfigError extends Error {
  override readonly name = 'DataProtectionConfigError';
}

/** A key id as it appears in payload metadata: short, printable, no separators. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

function decodeBase64(value: string): Buffer | undefined {
  const v = value.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) return undefined;
  return Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/**
 * CANCELLATIONS_ENCRYPTION_KEYS: either `id:base64key,id2:base64key` or a JSON object
 * `{"id":"base64key","id2":"base64key"}`. Every key is 32 bytes (AES-256), base64 or base64url.
 */
export function parseEncryptionKeys(raw: string, variable = 'CANCELLATIONS_ENCRYPTION_KEYS') {
  let entries: [string, unknown][];
  const text = raw.trim();
  if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new DataProtectionConfigError(`${variable}: not valid JSON (expected {"keyId":"base64key",...})`);
    }
    if (!json || typeof json !== 'object' || Array.isArray(json))
      throw new DataProtectionConfigError(`${variable}: expected a JSON object {"keyId":"base64key",...}`);
    entries = Object.entries(json);
  } else {
    entries = text
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const colon = part.indexOf(':');
        if (colon < 0)
          throw new DataProtectionConfigError(
            `${variable}: expected id:base64key entries separated by commas`,
          );
        return [part.slice(0, colon).trim(), part.slice(colon + 1).trim()];
      });
  }
  if (entries.length === 0) throw new DataProtectionConfigError(`${variable}: no keys listed`);
  const keys = new Map<string, Buffer>();
  for (const [id, value] of entries) {
    if (!KEY_ID.test(id))
      throw new DataProtectionConfigError(
        `${variable}: key id "${id.slice(0, 64)}" must be 1-64 characters of A-Z a-z 0-9 . _ -`,
      );
    if (keys.has(id)) throw new DataProtectionConfigError(`${variable}: key id "${id}" is listed twice`);
    const key = typeof value === 'string' ? decodeBase64(value) : undefined;
    if (!key || key.length !== 32)
      throw new DataProtectionConfigError(
        `${variable}: key "${id}" must be 32 bytes encoded as base64 (openssl rand -base64 32)`,
      );
    keys.set(id, key);
  }
  return keys;
}

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const DataProtectionEnvSchema = z.object({
  CANCELLATIONS_ENCRYPTION_KEYS: optional,
  CANCELLATIONS_ENCRYPTION_KEY_ID: optional,
  CANCELLATIONS_ID_HASH_KEY: optional,
  CANCELLATIONS_CODEC_TOKEN: optional,
  CANCELLATIONS_CODEC_HOST: optional,
  CANCELLATIONS_CODEC_PORT: optional,
  CANCELLATIONS_CODEC_CORS_ORIGINS: optional,
});

export interface EncryptionSettings {
  keys: Map<string, Buffer>;
  currentKeyId: string;
}

export interface DataProtectionConfig {
  /** Undefined when no keys are configured: payloads are then stored as plain JSON. */
  encryption?: EncryptionSettings;
  /** Undefined when not configured: a public development key is used (see idHasherFromEnv). */
  idHashKey?: Buffer;
  codec: { token?: string; host: string; port: number; corsOrigins: string[] };
}

export const DEFAULT_CODEC_PORT = 8888;
/** The dev server's Web UI (temporal server start-dev) on its default port. */
export const DEFAULT_CORS_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];

export function loadDataProtectionConfig(env: NodeJS.ProcessEnv = process.env): DataProtectionConfig {
  const e = DataProtectionEnvSchema.parse(env);

  let encryption: EncryptionSettings | undefined;
  if (e.CANCELLATIONS_ENCRYPTION_KEYS) {
    const keys = parseEncryptionKeys(e.CANCELLATIONS_ENCRYPTION_KEYS);
    let currentKeyId = e.CANCELLATIONS_ENCRYPTION_KEY_ID;
    if (!currentKeyId) {
      if (keys.size > 1)
        throw new DataProtectionConfigError(
          'CANCELLATIONS_ENCRYPTION_KEY_ID: required when CANCELLATIONS_ENCRYPTION_KEYS lists more than one key (the id of the key new payloads are encrypted with)',
        );
      currentKeyId = [...keys.keys()][0]!;
    }
    if (!keys.has(currentKeyId))
      throw new DataProtectionConfigError(
        `CANCELLATIONS_ENCRYPTION_KEY_ID: "${currentKeyId.slice(0, 64)}" is not one of the ids in CANCELLATIONS_ENCRYPTION_KEYS (${[...keys.keys()].join(', ')})`,
      );
    encryption = { keys, currentKeyId };
  } else if (e.CANCELLATIONS_ENCRYPTION_KEY_ID) {
    throw new DataProtectionConfigError(
      'CANCELLATIONS_ENCRYPTION_KEY_ID is set but CANCELLATIONS_ENCRYPTION_KEYS is not: list the keys too',
    );
  }

  let idHashKey: Buffer | undefined;
  if (e.CANCELLATIONS_ID_HASH_KEY) {
    idHashKey = decodeBase64(e.CANCELLATIONS_ID_HASH_KEY);
    if (!idHashKey || idHashKey.length < 16)
      throw new DataProtectionConfigError(
        'CANCELLATIONS_ID_HASH_KEY: must be at least 16 bytes encoded as base64 (openssl rand -base64 32)',
      );
  }

  const token = e.CANCELLATIONS_CODEC_TOKEN;
  if (token !== undefined && (token.length < 16 || /\s/.test(token)))
    throw new DataProtectionConfigError(
      'CANCELLATIONS_CODEC_TOKEN: must be at least 16 characters without spaces (openssl rand -hex 24)',
    );
  const port =
    e.CANCELLATIONS_CODEC_PORT === undefined ? DEFAULT_CODEC_PORT : Number(e.CANCELLATIONS_CODEC_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new DataProtectionConfigError('CANCELLATIONS_CODEC_PORT: must be a port number (0-65535)');
  const corsOrigins = e.CANCELLATIONS_CODEC_CORS_ORIGINS
    ? e.CANCELLATIONS_CODEC_CORS_ORIGINS.split(',')
        .map((o) => o.trim().replace(/\/+$/, ''))
        .filter(Boolean)
    : DEFAULT_CORS_ORIGINS;
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin))
      throw new DataProtectionConfigError(
        `CANCELLATIONS_CODEC_CORS_ORIGINS: "${origin}" is not an origin (scheme://host[:port])`,
      );
  }

  return {
    ...(encryption && { encryption }),
    ...(idHashKey && { idHashKey }),
    codec: { ...(token && { token }), host: e.CANCELLATIONS_CODEC_HOST ?? '127.0.0.1', port, corsOrigins },
  };
}
