export {
  AesGcmCodec,
  PayloadDecryptionError,
  ENCODING,
  METADATA_KEY_ID_KEY,
  encryptionKeyIdOf,
} from './aes-gcm-codec';
export {
  DataProtectionConfigError,
  loadDataProtectionConfig,
  parseEncryptionKeys,
  type DataProtectionConfig,
  type EncryptionSettings,
} from './config';
export {
  FAILURE_CONVERTER_PATH,
  codecFor,
  dataConverterFor,
  dataConverterFromEnv,
  idHasherFromEnv,
} from './data-converter';
export { IdHasher } from './id-hash';
export { redactingLogger, redactText, redactValue, secretValuesFromEnv } from './redact';
export { startCodecServer, startCodecServerFromEnv, type RunningCodecServer } from './server';
export { ensureDevDataProtectionEnv } from './dev-keys';
