import { RebillySimulator } from '../../simulators/rebilly';
import { depsFor } from './provider-harness';

export const REBILLY_ORG = 'org-test';
export const REBILLY_KEY = 'sk_sandbox_secret_workflow';

/** A running Rebilly simulator and activity deps pointing at it. */
export async function startRebilly(timeoutMs = 1500) {
  const sim = new RebillySimulator({ organizationId: REBILLY_ORG, apiKey: REBILLY_KEY });
  const url = await sim.start();
  const deps = depsFor(
    { REBILLY_BASE_URL: url, REBILLY_ORGANIZATION_ID: REBILLY_ORG, REBILLY_API_KEY: REBILLY_KEY },
    timeoutMs,
  );
  return { sim, deps };
}
