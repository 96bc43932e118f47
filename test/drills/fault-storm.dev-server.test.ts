import { faultStormDrill } from '../../drills/fault-storm';
import { WORKFLOW_BUNDLE_PATH } from '../support/paths';

// A small fault storm: forty cancellations, each provider meeting each fault plan once (5xx, hang,
// 429 with a 7 s hint, lost responses, clean), plus 503s and 429s on reads. `npm run drills` runs
// it over 500.
describe('drill: fault storm', () => {
  test('every cancellation ends as it must, once, only faults cause retries, every hint is honoured', async () => {
    const counts = await faultStormDrill({
      count: 40,
      retryAfterSeconds: 7,
      httpTimeoutMs: 2000,
      bundlePath: WORKFLOW_BUNDLE_PATH,
      log: () => undefined,
    });
    // toMatchObject would take {} for any object: the provider made no change but the cancellation's.
    expect(counts.changes.unexpected).toEqual({});
    expect(counts).toMatchObject({
      requested: 40,
      unexpectedOutcomes: 0,
      faultsNotFired: 0,
      cancelledExactlyOnce: 40,
      cancelledTwiceOrMore: 0,
      neverCancelled: 0,
      hintsViolated: 0,
    });
    expect(counts.cleanTargetsWrittenOnce).toBe(counts.cleanTargets);
    expect(counts.targetsWithRetriedSubmit).toBeGreaterThan(0);
    expect(counts.targetsWithRetriedSubmit).toBe(counts.targetsWhoseSubmitMetFault);
    expect(counts.rateLimitHints).toBeGreaterThan(0);
  });
});
