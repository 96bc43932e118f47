import { createHttpClient, type HttpClient } from './http/client';
import { type ProviderEnv } from './config';

/** What every provider module is built from; tests pass their own (a fake clock, a short timeout). */
export interface ActivityDeps {
  http: HttpClient;
  env: ProviderEnv;
  clock: () => Date;
}

/** The dependencies a worker runs with: its configuration, an HTTP client with its timeout, the clock. */
export function activityDeps(env: ProviderEnv): ActivityDeps {
  return {
    http: createHttpClient({ timeoutMs: env.PROVIDER_HTTP_TIMEOUT_MS }),
    env,
    clock: () => new Date(),
  };
}
