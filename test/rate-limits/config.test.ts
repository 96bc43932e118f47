import {
  DEFAULT_RATE_LIMITS,
  parseRateLimits,
  rateLimitsFromEnv,
  RateLimitsConfigError,
} from '../../common/rate-limits';
import { providerTaskQueue } from '../../common/task-queue';

describe('CANCELLATIONS_RATE_LIMITS', () => {
  test('unset or blank: the documented defaults (Rebilly 5/s from its sandbox limit)', () => {
    expect(parseRateLimits(undefined)).toEqual(DEFAULT_RATE_LIMITS);
    expect(parseRateLimits('  ')).toEqual(DEFAULT_RATE_LIMITS);
    expect(DEFAULT_RATE_LIMITS).toEqual({ rebilly: 5, keliweb: 1, payway: 5, 'billing-care': 5 });
  });

  test('named providers are set, the others keep their defaults; spaces and fractions are fine', () => {
    expect(parseRateLimits('rebilly=2, payway = 10,billing-care=0.5')).toEqual({
      rebilly: 2,
      payway: 10,
      'billing-care': 0.5,
      keliweb: DEFAULT_RATE_LIMITS.keliweb,
    });
    expect(rateLimitsFromEnv({ CANCELLATIONS_RATE_LIMITS: 'keliweb=3' }).keliweb).toBe(3);
  });

  test.each([
    ['stripe=5', /CANCELLATIONS_RATE_LIMITS: "stripe=5": unknown provider "stripe" \(one of keliweb/],
    ['rebilly=fast', /"rebilly=fast": the rate must be a number/],
    ['rebilly=0', /"rebilly=0": the rate must be a number above 0/],
    ['rebilly=-1', /above 0/],
    ['rebilly', /"rebilly": expected provider=rate/],
    ['rebilly=', /expected provider=rate/],
    ['rebilly=5=6', /expected provider=rate/],
    ['rebilly=5,rebilly=6', /"rebilly=6": rebilly is listed twice/],
  ])('%s is a configuration error naming the variable and the entry', (raw, message) => {
    expect(() => parseRateLimits(raw)).toThrow(RateLimitsConfigError);
    expect(() => parseRateLimits(raw)).toThrow(message);
  });
});

describe('provider task queues', () => {
  test('derived from the workflow task queue, one per provider', () => {
    expect(providerTaskQueue('cancellations', 'rebilly')).toBe('cancellations-rebilly');
    expect(providerTaskQueue('tq-1', 'billing-care')).toBe('tq-1-billing-care');
  });
});
