import { ApplicationFailure } from '@temporalio/common';
import { loadProviderEnv, type ProviderEnv } from '../../activities/config';
import { activityDeps, type ActivityDeps } from '../../activities/deps';

/** Activity dependencies for direct contract tests: real HTTP to a simulator, a short timeout. */
export function depsFor(env: Partial<Record<keyof ProviderEnv, string>>, timeoutMs = 1500): ActivityDeps {
  return activityDeps(loadProviderEnv({ ...env, PROVIDER_HTTP_TIMEOUT_MS: String(timeoutMs) }));
}

/** Runs the call and returns the ApplicationFailure it threw (fails the test if it did not). */
export async function failureOf(call: () => Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await call();
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw new Error(`expected an ApplicationFailure, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export function detailsOf(f: ApplicationFailure): {
  provider?: string;
  status?: number;
  field?: string;
  providerCode?: string;
} {
  return (f.details?.[0] ?? {}) as {
    provider?: string;
    status?: number;
    field?: string;
    providerCode?: string;
  };
}
