import { killWorkerDrill } from '../../drills/kill-worker';
import { WORKFLOW_BUNDLE_PATH } from '../support/paths';

// A small kill -9 drill: twenty cancellations whose first submits have been held at the providers
// for 6 s (the cancel applied, the answer withheld) when the worker dies. `npm run drills` does it
// with 500.
describe('drill: kill -9 of the worker with submits in flight', () => {
  test('each resumes on a new worker within 15 s and ends as it must; each target cancelled exactly once', async () => {
    const counts = await killWorkerDrill({
      count: 20,
      holdMs: [12_000, 14_000],
      killAfterHeldMs: 6000,
      resumeGoalMs: 15_000,
      resumeBoundMs: 15_000,
      completeBoundMs: 60_000,
      bundlePath: WORKFLOW_BUNDLE_PATH,
      log: () => undefined,
    });
    // toMatchObject would take {} for any object: the provider made no change but the cancellation's.
    expect(counts.changes.unexpected).toEqual({});
    expect(counts).toMatchObject({
      requested: 20,
      inFlightAtKill: 20,
      completed: 20,
      unexpectedOutcomes: 0,
      targetsWithRetriedSubmit: 20,
      cancelledExactlyOnce: 20,
      cancelledTwiceOrMore: 0,
      neverCancelled: 0,
      rebillyTargets: 5,
      rebillyTargetsWithOneId: 5,
    });
    expect(counts.resumeMs.max).toBeLessThanOrEqual(15_000);
  });
});
