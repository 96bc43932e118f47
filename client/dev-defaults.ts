import { existsSync } from 'node:fs';
import { DEV_DATA_PROTECTION_FILE, ensureDevDataProtectionEnv } from '../codec/dev-keys';

/**
 * `npm start` encrypts payloads and hashes ids with development keys kept in
 * .temporal/data-protection.json. A CLI or worker pointed at that embedded server (the default
 * address) needs the same keys to read and steer its runs. Variables already set always win, and
 * nothing happens for any other address or when `npm start` never ran in this checkout.
 */
export function useEmbeddedDevKeysIfDefault(env: NodeJS.ProcessEnv = process.env): boolean {
  const address = env.TEMPORAL_ADDRESS;
  if (address && !/^(localhost|127\.0\.0\.1):7233$/.test(address)) return false;
  if (!existsSync(DEV_DATA_PROTECTION_FILE)) return false;
  ensureDevDataProtectionEnv(env);
  return true;
}
