import { type Provider, type Timing } from './request';

// When a cancellation runs, and when its effect is checked: one home for these rules, used by the
// client (to show scheduledFor before the run starts) and by the workflow (to wait). Plain data and
// arithmetic only, so workflow code can import it.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A date this far in the past is taken as clock skew between caller and us, not as a mistake. */
export const PAST_TOLERANCE_MS = 5 * MINUTE;
/** Far enough ahead for any billing period; further is almost certainly a mistyped year. */
export const MAX_SCHEDULE_AHEAD_MS = 5 * 366 * DAY;

/**
 * End of billing period timed by the orchestrator: how long before the period end the workflow
 * submits the provider's own end-of-period cancel. Waiting until the period end itself and then
 * cancelling "now" is wrong at every provider (docs/providers.md): Payway's cancel always takes effect
 * at the next renewal (one period late), a Billing Care bundle leaves `purchasedbundles` once
 * `validTo` passes, Rebilly renews at `renewalTime`, and Keliweb raises the renewal invoice before
 * `nextduedate`. Submitting ahead with the provider's end-of-period option lands the effect exactly
 * on the provider's period end; the request stays withdrawable until the lead starts.
 */
export const END_OF_PERIOD_LEAD_MS: Record<Provider, number> = {
  // ASSUMPTION: WHMCS's default invoice generation, 14 days before nextduedate.
  keliweb: 14 * DAY,
  payway: HOUR,
  rebilly: HOUR,
  'billing-care': HOUR,
};

/**
 * When no provider read gives an effective date (Keliweb's Immediate request, carried out by its
 * nightly automation), verification is due this long after submission.
 */
export const EFFECT_LAG_WITHOUT_DATE_MS: Record<Provider, number> = {
  keliweb: 2 * DAY,
  payway: DAY,
  rebilly: HOUR,
  'billing-care': HOUR,
};

/** Time given to the provider's own automation after the effective date before we read it again. */
export const DEFAULT_VERIFICATION_GRACE_MS = HOUR;

/** When the orchestrator acts on a request whose timing it owns; undefined means "now". */
export function scheduledForOf(provider: Provider, timing: Timing, periodEnd?: string): string | undefined {
  if (timing.mode === 'at') return new Date(timing.at).toISOString();
  if (timing.mode !== 'end-of-billing-period' || timing.deferTo !== 'orchestrator') return undefined;
  const end = periodEnd ?? timing.periodEnd;
  if (end === undefined) return undefined;
  return new Date(Date.parse(end) - END_OF_PERIOD_LEAD_MS[provider]).toISOString();
}

/** Which dates of a timing are checked against the clock, with the field that holds each. */
export function timingDates(timing: Timing): { field: string; value: string }[] {
  if (timing.mode === 'at') return [{ field: 'timing.at', value: timing.at }];
  if (timing.mode === 'end-of-billing-period' && timing.periodEnd !== undefined)
    return [{ field: 'timing.periodEnd', value: timing.periodEnd }];
  return [];
}

/** A date's problem against the window [now - tolerance, now + 5 years], or undefined. */
export function dateWindowProblem(value: string, now: number): string | undefined {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined; // the format is the schema's to report
  if (ms < now - PAST_TOLERANCE_MS) return 'must not be in the past (5 minutes of clock skew are allowed)';
  if (ms > now + MAX_SCHEDULE_AHEAD_MS) return 'must be at most 5 years in the future';
  return undefined;
}

/** When to read the provider again to verify the effect: its effective date (or a lag) plus grace. */
export function verificationDueAt(
  provider: Provider,
  effectiveAt: string | undefined,
  submittedAt: string,
  graceMs: number,
): string {
  const base = effectiveAt
    ? Date.parse(effectiveAt)
    : Date.parse(submittedAt) + EFFECT_LAG_WITHOUT_DATE_MS[provider];
  return new Date(base + graceMs).toISOString();
}
