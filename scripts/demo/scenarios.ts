import { type CancellationClient } from '../../client/cancellation-client';
import { type CancellationRequestInput, type Provider, providers } from '../../common/request';
import { type CancellationResult } from '../../common/result';
import { type SimulatorSet } from '../../simulators';
import { seedTarget } from './targets';

export type ScenarioKind = 'immediate' | 'end-of-period' | 'withdrawn' | 'rides-through-failures';
export const scenarioKinds: ScenarioKind[] = [
  'immediate',
  'end-of-period',
  'withdrawn',
  'rides-through-failures',
];

export interface Scenario {
  provider: Provider;
  kind: ScenarioKind;
  workflowId: string;
  expected: 'completed' | 'withdrawn';
}

export interface DemoOptions {
  /** How far away the short billing period ends (the demo's "a minute later"). */
  periodSeconds: number;
  /** How many injected 5xx failures precede the lost response in the failure scenario. */
  injectedFailures: number;
  /** Unique per run: keeps a rerun on a persistent server clear of the previous run's ids. */
  runKey: string;
  /** Which providers to demonstrate (default: all four). */
  providers?: readonly Provider[];
  log: (line: string) => void;
}

const SUBMIT_PATH: Record<Provider, string> = {
  keliweb: 'add-cancel-request',
  payway: 'cancel_product',
  rebilly: 'order-cancellations',
  'billing-care': 'cancel/bundle',
};

/** Starts the demo's cancellations: four scenarios for each provider (sixteen for all four). */
export async function startScenarios(client: CancellationClient, sims: SimulatorSet, o: DemoOptions) {
  const scenarios: Scenario[] = [];
  let serial = Number(o.runKey.replace(/\D/g, '').slice(-6)) * 100;
  for (const provider of o.providers ?? providers) {
    for (const kind of scenarioKinds) {
      const key = `${o.runKey}-${provider}-${kind}`;
      const { target, marker } = seedTarget(sims, provider, key, ++serial);
      const timing: CancellationRequestInput['timing'] =
        kind === 'end-of-period'
          ? {
              mode: 'end-of-billing-period',
              periodEnd: new Date(Date.now() + o.periodSeconds * 1000).toISOString(),
            }
          : kind === 'withdrawn'
            ? { mode: 'at', at: new Date(Date.now() + 3_600_000).toISOString() }
            : { mode: 'immediate' };
      if (kind === 'rides-through-failures') {
        const path = SUBMIT_PATH[provider];
        const sim = sims.byProvider[provider];
        // Only this scenario's own requests fail: the body names its target.
        const bodyIncludes = marker;
        if (o.injectedFailures > 0)
          sim.addFault({
            path,
            bodyIncludes,
            fault: { kind: 'status', status: 503 },
            times: o.injectedFailures,
          });
        sim.addFault({ path, bodyIncludes, fault: { kind: 'lost-response' } });
      }
      const accepted = await client.request({
        requestId: key.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 64),
        provider,
        target,
        timing,
        reason: { code: 'too_expensive', comment: `demo: ${kind}` },
        requestedBy: 'customer',
        customerId: `demo-customer-${serial}`,
      } as CancellationRequestInput);
      scenarios.push({
        provider,
        kind,
        workflowId: accepted.workflowId,
        expected: kind === 'withdrawn' ? 'withdrawn' : 'completed',
      });
      o.log(`started  ${provider.padEnd(12)} ${kind.padEnd(22)} ${accepted.workflowId}`);
    }
  }
  return scenarios;
}

/** Withdraws the scenarios meant to be withdrawn, a moment after they were scheduled. */
export async function withdrawScenarios(
  client: CancellationClient,
  scenarios: Scenario[],
  log: (l: string) => void,
) {
  for (const s of scenarios.filter((x) => x.kind === 'withdrawn')) {
    const status = await client.withdraw(s.workflowId, 'demo: the customer changed their mind');
    log(`withdrew ${s.provider.padEnd(12)} ${s.workflowId} -> ${status.stage}`);
  }
}

/** Follows every scenario to its end, printing stage changes as they happen. */
export async function followScenarios(
  client: CancellationClient,
  scenarios: Scenario[],
  log: (l: string) => void,
  timeoutMs: number,
): Promise<Map<string, string>> {
  const last = new Map<string, string>();
  const deadline = Date.now() + timeoutMs;
  const finished = (stage: string | undefined) =>
    stage === 'completed' || stage === 'withdrawn' || stage === 'failed';
  while (Date.now() < deadline && !scenarios.every((s) => finished(last.get(s.workflowId)))) {
    for (const s of scenarios) {
      if (finished(last.get(s.workflowId))) continue;
      const st = await client.status(s.workflowId);
      const shown = `${st.stage}${st.pendingAttempt ? ` (attempt ${st.pendingAttempt}${st.lastError ? `, last error ${st.lastError.type}` : ''})` : ''}${outcomeOf(st.result)}`;
      if (last.get(s.workflowId) !== st.stage || st.pendingAttempt) {
        if (last.get(`${s.workflowId}#shown`) !== shown)
          log(
            `${st.stage === s.expected ? 'done    ' : 'progress'} ${s.provider.padEnd(12)} ${s.kind.padEnd(22)} ${shown}`,
          );
        last.set(`${s.workflowId}#shown`, shown);
      }
      last.set(s.workflowId, st.stage);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return new Map(scenarios.map((s) => [s.workflowId, last.get(s.workflowId) ?? 'unknown']));
}

/** How much the provider showed, and its date, for a finished run's line. */
function outcomeOf(result: CancellationResult | undefined): string {
  if (result?.confirmation) {
    const when = result.effectiveAt ? `takes effect ${result.effectiveAt}` : 'the provider gave no date';
    return ` (provider shows it ${result.confirmation.level}; ${when}; verification due ${result.verification?.dueAt ?? '?'})`;
  }
  return result?.error ? ` (${result.error.type}: ${result.error.message})` : '';
}
