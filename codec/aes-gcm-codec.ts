import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

// The format of Temporal's encryption samples (Go, Python, Java, TypeScript), so that a codec in
// another language can read our payloads: the whole Payload proto is encrypted with AES-256-GCM,
// stored as nonce(12) || ciphertext || tag(16), with metadata
//   encoding: binary/encrypted
//   encryption-key-id: <id of the key it was encrypted with>

export const ENCODING = 'binary/encrypted';
export const METADATA_ENCODING_KEY = 'encoding';
export const METADATA_KEY_ID_KEY = 'encryption-key-id';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** A payload that cannot be decrypted: unknown key id, wrong key, or altered ciphertext. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
  constructor(
    message: string,
    readonly keyId?: string,
  ) {
    super(message);
  }
}

export interface AesGcmCodecOptions {
  /** Key id to 32-byte key. Every listed key decrypts; only the current one encrypts. */
  keys: ReadonlyMap<string, Uint8Array>;
  currentKeyId: string;
}

export class AesGcmCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Uint8Array>;
  readonly currentKeyId: string;

  constructor(options: AesGcmCodecOptions) {
    for (const [id, key] of options.keys) {
      if (key.length !== 32) throw new Error(`encryption key "${id}" must be 32 bytes (AES-256)`);
    }
    if (!options.keys.has(options.currentKeyId))
      throw new Error(
        `the current encryption key "${options.currentKeyId}" is not among the configured keys`,
      );
    this.keys = new Map(options.keys);
    this.currentKeyId = options.currentKeyId;
  }

  /** The ids this codec can decrypt, for error messages (never the keys). */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.currentKeyId)!;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      const data = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: utf8.encode(ENCODING),
          [METADATA_KEY_ID_KEY]: utf8.encode(this.currentKeyId),
        },
        data: new Uint8Array(data),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      // Not ours (written before encryption was enabled, or by a process without keys): as is.
      if (!encoding || fromUtf8.decode(encoding) !== ENCODING) return payload;
      const rawId = payload.metadata?.[METADATA_KEY_ID_KEY];
      if (!rawId)
        throw new PayloadDecryptionError(
          `encrypted payload has no ${METADATA_KEY_ID_KEY} metadata: cannot tell which key to use`,
        );
      const keyId = fromUtf8.decode(rawId);
      const key = this.keys.get(keyId);
      if (!key)
        throw new PayloadDecryptionError(
          `payload was encrypted with key "${keyId}", which is not configured here ` +
            `(configured: ${this.keyIds.join(', ')}); add it to CANCELLATIONS_ENCRYPTION_KEYS`,
          keyId,
        );
      const data = payload.data ?? new Uint8Array();
      if (data.length < NONCE_BYTES + TAG_BYTES)
        throw new PayloadDecryptionError(`encrypted payload (key "${keyId}") is truncated`, keyId);
      const nonce = data.subarray(0, NONCE_BYTES);
      const tag = data.subarray(data.length - TAG_BYTES);
      const body = data.subarray(NONCE_BYTES, data.length - TAG_BYTES);
      let plain: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce);
        decipher.setAuthTag(tag);
        plain = Buffer.concat([decipher.update(body), decipher.final()]);
      } catch {
        throw new PayloadDecryptionError(
          `payload could not be decrypted with key "${keyId}": the key configured under that id is not ` +
            `the one it was encrypted with, or the payload was altered`,
          keyId,
        );
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** Which key encrypted a payload (undefined if it is not encrypted). For tests and tooling. */
export function encryptionKeyIdOf(payload: Payload): string | undefined {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  if (!encoding || fromUtf8.decode(encoding) !== ENCODING) return undefined;
  const id = payload.metadata?.[METADATA_KEY_ID_KEY];
  return id ? fromUtf8.decode(id) : undefined;
}
