import { type DataConverter } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm-codec';
import { loadDataProtectionConfig, type DataProtectionConfig, type EncryptionSettings } from './config';
import { IdHasher } from './id-hash';

/** Path of the failure converter; pass it to bundleWorkflowCode({ failureConverterPath }) too. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * A public, well-known key used when CANCELLATIONS_ID_HASH_KEY is not set: identifiers are still
 * not stored verbatim, but anyone with this source can test guesses. Development only.
 */
const DEVELOPMENT_ID_HASH_KEY = Buffer.from('subscription-cancellations development id hash key');

/** What running without each setting means (warning code, message): said once per process. */
const FALLBACK_WARNINGS = {
  encryption: [
    'CANCELLATIONS_NO_ENCRYPTION',
    'CANCELLATIONS_ENCRYPTION_KEYS is not set: workflow inputs and results are stored in Temporal unencrypted',
  ],
  idHashKey: [
    'CANCELLATIONS_NO_ID_HASH_KEY',
    'CANCELLATIONS_ID_HASH_KEY is not set: customer ids and subscription ids are hashed with a public development key',
  ],
} as const;

const warned = new Set<string>();
function warnOnce(code: string, message: string): void {
  // Tests run without keys on purpose; everything else hears about it once per process.
  if (warned.has(code) || process.env.NODE_ENV === 'test') return;
  warned.add(code);
  process.emitWarning(message, { code });
}

/** One data protection setting from the environment; unset, it warns of the fallback in use. */
function settingFromEnv<K extends keyof typeof FALLBACK_WARNINGS>(
  env: NodeJS.ProcessEnv,
  setting: K,
): DataProtectionConfig[K] {
  const value = loadDataProtectionConfig(env)[setting];
  const [code, message] = FALLBACK_WARNINGS[setting];
  if (!value) warnOnce(code, message);
  return value;
}

/** The codec for the given keys (AES-256-GCM, key id in the payload metadata). */
export function codecFor(encryption: EncryptionSettings): AesGcmCodec {
  return new AesGcmCodec({ keys: encryption.keys, currentKeyId: encryption.currentKeyId });
}

/** A data converter that encrypts payloads and failure messages with the codec (if any). */
export function dataConverterFor(codec?: AesGcmCodec): DataConverter {
  return { failureConverterPath: FAILURE_CONVERTER_PATH, ...(codec && { payloadCodecs: [codec] }) };
}

/**
 * The data converter of every process that talks to Temporal (client, worker, CLI), from
 * CANCELLATIONS_ENCRYPTION_KEYS / CANCELLATIONS_ENCRYPTION_KEY_ID. Without keys payloads are not
 * encrypted (a warning says so); with keys every payload and failure message is.
 */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter {
  const encryption = settingFromEnv(env, 'encryption');
  return dataConverterFor(encryption && codecFor(encryption));
}

/** The identifier pseudonymiser, from CANCELLATIONS_ID_HASH_KEY (a development key if unset). */
export function idHasherFromEnv(env: NodeJS.ProcessEnv = process.env): IdHasher {
  return new IdHasher(settingFromEnv(env, 'idHashKey') ?? DEVELOPMENT_ID_HASH_KEY);
}
