import { type HttpClient } from './http/client';
import { type ProviderEnv } from './config';

/** What every provider module is built from; tests pass their own (a fake clock, a short timeout). */
export interface ActivityDeps {
  http: HttpClient;
  env: ProviderEnv;
  clock: () => Date;
}
