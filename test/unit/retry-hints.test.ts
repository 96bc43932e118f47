import { retryAfterMs } from '../../activities/http/retry-hints';

const NOW = new Date('2030-01-01T00:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

describe('retryAfterMs: the one Retry-After parser', () => {
  test.each([
    ['120', 120_000],
    ['0', 0],
    ['12', 12_000],
    ['1.5', 1500],
    ['1.25', 1250],
    [' 5 ', 5000],
    // Sub-millisecond remainders are rounded, never passed on as fractions.
    ['1.0004', 1000],
    ['1.0006', 1001],
  ])("form 'seconds': %p -> %p ms", (header, ms) => {
    expect(retryAfterMs(header, 'seconds', NOW)).toBe(ms);
  });

  test.each(['x5', '5x', '1x5', '1.', '.5', '-5', '5 minutes', 'Wed, 01 Jan 2030 00:00:10 GMT'])(
    "form 'seconds' does not read %p",
    (header) => {
      expect(retryAfterMs(header, 'seconds', NOW)).toBeUndefined();
    },
  );

  test.each([undefined, '', '   ', []])('an absent or empty header (%p) gives no hint', (header) => {
    expect(retryAfterMs(header, 'seconds', NOW)).toBeUndefined();
    expect(retryAfterMs(header, 'seconds-or-http-date', NOW)).toBeUndefined();
    expect(retryAfterMs(header, 'unix-seconds', NOW)).toBeUndefined();
  });

  test('of a repeated header, the first one counts', () => {
    expect(retryAfterMs(['30', '90'], 'seconds', NOW)).toBe(30_000);
  });

  test("form 'seconds-or-http-date' reads both RFC 9110 forms", () => {
    expect(retryAfterMs('30', 'seconds-or-http-date', NOW)).toBe(30_000);
    expect(retryAfterMs('Tue, 01 Jan 2030 00:00:10 GMT', 'seconds-or-http-date', NOW)).toBe(10_000);
    // A date already past means "now", never a negative delay.
    expect(retryAfterMs('Mon, 31 Dec 2029 23:59:50 GMT', 'seconds-or-http-date', NOW)).toBe(0);
    expect(retryAfterMs('soon', 'seconds-or-http-date', NOW)).toBeUndefined();
  });

  test("form 'unix-seconds' is an instant, not a delay", () => {
    expect(retryAfterMs(String(nowSeconds + 30), 'unix-seconds', NOW)).toBe(30_000);
    expect(retryAfterMs(String(nowSeconds + 0.5), 'unix-seconds', NOW)).toBe(500);
    expect(retryAfterMs(String(nowSeconds - 10), 'unix-seconds', NOW)).toBe(0);
    expect(retryAfterMs('Tue, 01 Jan 2030 00:00:10 GMT', 'unix-seconds', NOW)).toBeUndefined();
    expect(retryAfterMs('later', 'unix-seconds', NOW)).toBeUndefined();
  });
});
