import {
  DEFAULT_VERIFICATION_GRACE_MS,
  EFFECT_LAG_WITHOUT_DATE_MS,
  END_OF_PERIOD_LEAD_MS,
  MAX_SCHEDULE_AHEAD_MS,
  PAST_TOLERANCE_MS,
  dateWindowProblem,
  scheduledForOf,
  timingDates,
  verificationDueAt,
} from '../../common/timing';
import { type Timing } from '../../common/request';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('the timing rules (docs/providers.md)', () => {
  test('lead before the period end and lag without a date, per provider', () => {
    expect(END_OF_PERIOD_LEAD_MS).toEqual({
      keliweb: 14 * DAY,
      payway: HOUR,
      rebilly: HOUR,
      'billing-care': HOUR,
    });
    expect(EFFECT_LAG_WITHOUT_DATE_MS).toEqual({
      keliweb: 2 * DAY,
      payway: DAY,
      rebilly: HOUR,
      'billing-care': HOUR,
    });
    expect(DEFAULT_VERIFICATION_GRACE_MS).toBe(HOUR);
    expect(PAST_TOLERANCE_MS).toBe(5 * MINUTE);
    expect(MAX_SCHEDULE_AHEAD_MS).toBe(5 * 366 * DAY);
  });
});

describe('scheduledForOf', () => {
  const eop = (deferTo: 'orchestrator' | 'provider', periodEnd?: string): Timing => ({
    mode: 'end-of-billing-period',
    deferTo,
    ...(periodEnd !== undefined && { periodEnd }),
  });

  test("'at' is the given instant, normalised to UTC", () => {
    expect(scheduledForOf('payway', { mode: 'at', at: '2030-01-01T01:00:00+01:00' })).toBe(
      '2030-01-01T00:00:00.000Z',
    );
  });

  test('immediate and provider-deferred cancellations are not scheduled by the orchestrator', () => {
    expect(scheduledForOf('payway', { mode: 'immediate' })).toBeUndefined();
    expect(scheduledForOf('payway', eop('provider', '2030-02-01T00:00:00Z'))).toBeUndefined();
    expect(scheduledForOf('payway', eop('provider'), '2030-02-01T00:00:00Z')).toBeUndefined();
  });

  test("the orchestrator acts the provider's lead before the period end", () => {
    expect(scheduledForOf('payway', eop('orchestrator', '2030-02-01T00:00:00Z'))).toBe(
      '2030-01-31T23:00:00.000Z',
    );
    expect(scheduledForOf('keliweb', eop('orchestrator', '2030-02-01T00:00:00Z'))).toBe(
      '2030-01-18T00:00:00.000Z',
    );
  });

  test('a period end read from the provider wins over none, and over the request', () => {
    expect(scheduledForOf('rebilly', eop('orchestrator'), '2030-03-01T00:00:00Z')).toBe(
      '2030-02-28T23:00:00.000Z',
    );
    expect(
      scheduledForOf('rebilly', eop('orchestrator', '2030-02-01T00:00:00Z'), '2030-03-01T00:00:00Z'),
    ).toBe('2030-02-28T23:00:00.000Z');
  });

  test('without any period end it is not known yet', () => {
    expect(scheduledForOf('billing-care', eop('orchestrator'))).toBeUndefined();
  });
});

describe('timingDates', () => {
  test('names the dates a timing holds', () => {
    expect(timingDates({ mode: 'at', at: '2030-01-01T00:00:00Z' })).toEqual([
      { field: 'timing.at', value: '2030-01-01T00:00:00Z' },
    ]);
    expect(
      timingDates({ mode: 'end-of-billing-period', deferTo: 'provider', periodEnd: '2030-02-01T00:00:00Z' }),
    ).toEqual([{ field: 'timing.periodEnd', value: '2030-02-01T00:00:00Z' }]);
    expect(timingDates({ mode: 'end-of-billing-period', deferTo: 'orchestrator' })).toEqual([]);
    expect(timingDates({ mode: 'immediate' })).toEqual([]);
  });
});

describe('dateWindowProblem', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  const at = (offsetMs: number) => new Date(now + offsetMs).toISOString();

  test('accepts the window edges and refuses just beyond them', () => {
    expect(dateWindowProblem(at(-PAST_TOLERANCE_MS), now)).toBeUndefined();
    expect(dateWindowProblem(at(-PAST_TOLERANCE_MS - 1), now)).toBe(
      'must not be in the past (5 minutes of clock skew are allowed)',
    );
    expect(dateWindowProblem(at(MAX_SCHEDULE_AHEAD_MS), now)).toBeUndefined();
    expect(dateWindowProblem(at(MAX_SCHEDULE_AHEAD_MS + 1), now)).toBe(
      'must be at most 5 years in the future',
    );
    expect(dateWindowProblem(at(0), now)).toBeUndefined();
  });

  test('leaves an unreadable date to the schema', () => {
    expect(dateWindowProblem('not a date', now)).toBeUndefined();
  });
});

describe('verificationDueAt', () => {
  const submittedAt = '2030-01-01T00:00:00.000Z';

  test("the provider's effective date plus grace", () => {
    expect(verificationDueAt('keliweb', '2030-02-01T00:00:00Z', submittedAt, HOUR)).toBe(
      '2030-02-01T01:00:00.000Z',
    );
  });

  test.each([
    ['keliweb', '2030-01-03T00:00:05.000Z'],
    ['payway', '2030-01-02T00:00:05.000Z'],
    ['rebilly', '2030-01-01T01:00:05.000Z'],
    ['billing-care', '2030-01-01T01:00:05.000Z'],
  ] as const)("without a date: %s's lag after submission plus grace", (provider, due) => {
    expect(verificationDueAt(provider, undefined, submittedAt, 5000)).toBe(due);
    expect(verificationDueAt(provider, '', submittedAt, 5000)).toBe(due);
  });
});
