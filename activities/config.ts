import { z } from 'zod';
import { ApplicationFailure } from '@temporalio/common';
import { PROVIDER_NOT_CONFIGURED } from '../common/errors';
import { fieldPath } from '../common/validation';
import { callbackEnvShape } from './callbacks/config';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));
const url = (fallback?: string) =>
  z
    .url({ protocol: /^https?$/ })
    .optional()
    .transform((v) => (v === '' ? undefined : (v ?? fallback))?.replace(/\/+$/, ''));

// Parsed once at worker start-up. Credentials live here and nowhere else: never in workflow
// inputs, results, logs or error messages.
export const ProviderEnvSchema = z.object({
  KELIWEB_BASE_URL: url('https://apiv2.keliweb.it'),
  KELIWEB_CLIENT_ID: optional,
  KELIWEB_CLIENT_SECRET: optional,
  KELIWEB_USERNAME: optional,
  KELIWEB_PASSWORD: optional,
  PAYWAY_BASE_URL: url('https://payway-api.stage.adeprimo.se'),
  PAYWAY_CLIENT_ID: optional,
  PAYWAY_CLIENT_SECRET: optional,
  /** Optional JSON map from our reason codes to Payway cancellation_reason ids. */
  PAYWAY_REASON_IDS: optional,
  REBILLY_BASE_URL: url('https://api-sandbox.rebilly.com'),
  REBILLY_ORGANIZATION_ID: optional,
  REBILLY_API_KEY: optional,
  BILLING_CARE_BASE_URL: url(),
  BILLING_CARE_CLIENT_ID: optional,
  BILLING_CARE_CLIENT_SECRET: optional,
  PROVIDER_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  ...callbackEnvShape,
});
export type ProviderEnv = z.output<typeof ProviderEnvSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadProviderEnv(env: NodeJS.ProcessEnv = process.env): ProviderEnv {
  const parsed = ProviderEnvSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/**
 * Returns the named settings or fails the activity, non-retryably, naming the missing variables.
 * A worker without a provider's settings still starts; only that provider's cancellations fail.
 */
export function requireSettings<K extends keyof ProviderEnv>(
  env: ProviderEnv,
  provider: string,
  keys: readonly K[],
): { [P in K]-?: NonNullable<ProviderEnv[P]> } {
  const missing = keys.filter((k) => env[k] === undefined);
  if (missing.length > 0) {
    throw ApplicationFailure.create({
      type: PROVIDER_NOT_CONFIGURED,
      nonRetryable: true,
      message: `${provider} is not configured on this worker: set ${missing.join(', ')}`,
      details: [{ provider, field: missing[0] }],
    });
  }
  return Object.fromEntries(keys.map((k) => [k, env[k]])) as { [P in K]-?: NonNullable<ProviderEnv[P]> };
}
