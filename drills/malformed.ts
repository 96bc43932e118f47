import { type CancellationClient } from '../client/cancellation-client';
import { InvalidRequestError } from '../common/validation';
import { MALFORMED, validControlRequest, type MalformedCase } from './corpus';
import { DrillFailure, waitFor } from './support/system';

export interface MalformedCounts {
  cases: number;
  rejectedNamingTheField: number;
  rejectedOtherwise: number;
  accepted: number;
  workflowsBefore: number;
  workflowsAfter: number;
  controlRequestSeen: boolean;
}

export interface MalformedOutcome {
  case: MalformedCase;
  /** `ok` when rejected with an InvalidRequestError naming the expected field. */
  verdict: 'ok' | 'wrong-field' | 'other-error' | 'accepted';
  detail: string;
}

/** Sends every malformed request; each must be refused with the field named, none may start a run. */
export async function runMalformedCorpus(client: CancellationClient): Promise<MalformedOutcome[]> {
  const out: MalformedOutcome[] = [];
  for (const c of MALFORMED) {
    try {
      const accepted = await client.request(c.input);
      out.push({ case: c, verdict: 'accepted', detail: `started ${accepted.workflowId}` });
    } catch (err) {
      if (!(err instanceof InvalidRequestError))
        out.push({ case: c, verdict: 'other-error', detail: String(err).slice(0, 200) });
      else
        out.push({
          case: c,
          verdict: err.field === c.field ? 'ok' : 'wrong-field',
          detail: `${err.field}: ${err.message.slice(0, 120)}`,
        });
    }
  }
  return out;
}

/**
 * The malformed-request drill: the corpus is refused field by field, visibility shows no workflow
 * on the drill's task queue, and a valid control request afterwards does show (the count works).
 */
export async function malformedDrill(o: {
  client: CancellationClient;
  countWorkflows: (extra?: string) => Promise<number>;
  log: (line: string) => void;
}): Promise<MalformedCounts> {
  const before = await o.countWorkflows();
  const outcomes = await runMalformedCorpus(o.client);
  for (const r of outcomes)
    o.log(
      `  ${r.verdict === 'ok' ? 'refused ' : 'WRONG   '} ${r.case.name.padEnd(42)} ${r.detail.slice(0, 90)}`,
    );
  // Visibility lags a little: give a wrongly started run the time to show up.
  await new Promise((r) => setTimeout(r, 1500));
  const after = await o.countWorkflows();
  const control = await o.client.request(validControlRequest(`drill-control-${Date.now()}`));
  const withControl = await waitFor(
    () => o.countWorkflows(),
    (n) => n === after + 1,
    15_000,
  );
  await o.client.withdraw(control.workflowId, 'drill control request');
  const counts: MalformedCounts = {
    cases: outcomes.length,
    rejectedNamingTheField: outcomes.filter((r) => r.verdict === 'ok').length,
    rejectedOtherwise: outcomes.filter((r) => r.verdict === 'wrong-field' || r.verdict === 'other-error')
      .length,
    accepted: outcomes.filter((r) => r.verdict === 'accepted').length,
    workflowsBefore: before,
    workflowsAfter: after,
    controlRequestSeen: withControl === after + 1,
  };
  if (counts.rejectedNamingTheField !== counts.cases || after !== before || !counts.controlRequestSeen)
    throw new DrillFailure(
      `malformed: ${JSON.stringify(counts)}; ${outcomes
        .filter((r) => r.verdict !== 'ok')
        .map((r) => `${r.case.name} -> ${r.verdict} (${r.detail}), expected ${r.case.field}`)
        .join('; ')}`,
    );
  return counts;
}
