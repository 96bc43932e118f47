import { type CancellationRequestInput } from './request';

/** How a request's timing reads in summaries, status and the CLI. */
export function timingLabel(t: CancellationRequestInput['timing']): string {
  if (t.mode === 'end-of-billing-period')
    return `end of billing period, deferred to the ${t.deferTo ?? 'orchestrator'}`;
  return t.mode === 'at' ? 'at a date' : 'immediately';
}
