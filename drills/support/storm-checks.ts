import { type Client } from '@temporalio/client';
import { type Provider } from '../../common/request';
import { type SimulatorSet } from '../../simulators';
import { type SimRequest } from '../../simulators/framework';
import { isWrite, requestsFor, type Seeded } from '../../harness/targets';

/** An outcome the simulator's fault injection wrote (`fault 503`, `hang`, `lost-response (…)`). */
export function isFault(outcome: string | undefined): boolean {
  return outcome !== undefined && !/^\d+$/.test(outcome);
}

export function faultsOf(requests: readonly SimRequest[]): string[] {
  return requests.flatMap((r) => (isFault(r.outcome) ? [r.outcome!] : []));
}

export interface HintCheck {
  key: string;
  provider: Provider;
  /** How long the provider asked the client to stay away, from the 429's arrival. */
  askedMs: number;
  /** How long until the next request for the same target reached the provider (Infinity: none came). */
  waitedMs: number;
  /** The 429 and the requests around it, for the failure message. */
  trail: SimRequest[];
}

/**
 * For every 429 a target's requests met, the time until the next request for that same target
 * reached its simulator, against what the provider asked for. Pairing is per target, over every
 * request that names it (path or body): the retry of a submit may begin with a read (Rebilly looks
 * its cancellation up first), and a 429 on a read is a hint too. Rebilly's X-RateLimit-Retry-After
 * is a Unix time in whole seconds (floor(now) + N); the others' Retry-After a number of seconds.
 */
export function retryHintChecks(
  sims: SimulatorSet,
  seeded: readonly Seeded[],
  hintSeconds: { write: number; read: number },
): HintCheck[] {
  const checks: HintCheck[] = [];
  for (const s of seeded) {
    const requests = requestsFor(sims, s);
    requests.forEach((r, i) => {
      if (r.outcome !== 'fault 429') return;
      const seconds = isWrite(sims, s.provider, r) ? hintSeconds.write : hintSeconds.read;
      const at = Date.parse(r.at);
      const askedUntil =
        s.provider === 'rebilly' ? (Math.floor(at / 1000) + seconds) * 1000 : at + seconds * 1000;
      const next = requests[i + 1];
      checks.push({
        key: s.key,
        provider: s.provider,
        askedMs: askedUntil - at,
        waitedMs: next ? Date.parse(next.at) - at : Infinity,
        trail: requests.slice(Math.max(0, i - 2), i + 3),
      });
    });
  }
  return checks;
}

/**
 * How the run's activities went, from its history: each activity's scheduled time, and for the
 * attempt that finished, its number, start and the failure (with the delay it asked for) before it.
 * Tells an early retry by Temporal from a request the drill paired wrongly.
 */
export async function submitAttempts(client: Client, workflowId: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const at = (t?: { seconds?: unknown; nanos?: number | null } | null) =>
    new Date(Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6)).toISOString().slice(11, 23);
  const lines: string[] = [];
  for (const e of history.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) lines.push(`${scheduled.activityType?.name} scheduled ${at(e.eventTime)}`);
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const f = started.lastFailure?.applicationFailureInfo;
      const delay = f?.nextRetryDelay ? ` asking ${Number(f.nextRetryDelay.seconds ?? 0)} s` : '';
      lines.push(
        `attempt ${started.attempt} started ${at(e.eventTime)}${f ? ` after ${f.type}${delay}` : ''}`,
      );
    }
  }
  return lines.join(', ');
}
