import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The checkout's root: the nearest folder with a package.json (from codec/, or dist/codec/ compiled). */
function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..');
  }
}

export const DEV_DATA_PROTECTION_FILE = path.join(projectRoot(), '.temporal/data-protection.json');

interface DevSecrets {
  CANCELLATIONS_ENCRYPTION_KEYS: string;
  CANCELLATIONS_ENCRYPTION_KEY_ID: string;
  CANCELLATIONS_ID_HASH_KEY: string;
  CANCELLATIONS_CODEC_TOKEN: string;
}

/**
 * For `npm start` on a developer machine: fills in the data-protection variables that are not set
 * (encryption key, identifier hash key, codec token) from .temporal/data-protection.json, creating
 * that file (mode 600) with fresh random values the first time. Set variables always win, so a
 * real deployment configures its own and this never touches them. Returns what it filled in.
 */
export function ensureDevDataProtectionEnv(
  env: NodeJS.ProcessEnv = process.env,
  file: string = DEV_DATA_PROTECTION_FILE,
): { file: string; filled: string[] } {
  let secrets: DevSecrets;
  if (existsSync(file)) {
    secrets = JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  } else {
    const keyId = `dev-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
    secrets = {
      CANCELLATIONS_ENCRYPTION_KEYS: `${keyId}:${randomBytes(32).toString('base64')}`,
      CANCELLATIONS_ENCRYPTION_KEY_ID: keyId,
      CANCELLATIONS_ID_HASH_KEY: randomBytes(32).toString('base64'),
      CANCELLATIONS_CODEC_TOKEN: randomBytes(24).toString('hex'),
    };
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  const filled: string[] = [];
  const keysConfigured = Boolean(env.CANCELLATIONS_ENCRYPTION_KEYS);
  for (const [name, value] of Object.entries(secrets) as [keyof DevSecrets, string][]) {
    // The key id belongs to the key list: never pair the file's id with someone else's keys.
    if (name === 'CANCELLATIONS_ENCRYPTION_KEY_ID' && keysConfigured) continue;
    if (env[name]) continue;
    env[name] = value;
    filled.push(name);
  }
  return { file, filled };
}
