import { killWorkerDrill } from '../../drills/kill-worker';
import { WORKFLOW_BUNDLE_PATH } from '../support/paths';

// A small kill -9 drill: twenty cancellations waiting on their timers in a worker process that is
// killed and replaced. (`npm run drills` kills one mid-activity with hundreds in flight; that one
// waits out the 45 s activity timeout, too slow for the test suite.)
describe('drill: kill -9 of the worker', () => {
  test('every cancellation completes after the restart, each target cancelled exactly once', async () => {
    const counts = await killWorkerDrill({
      count: 20,
      latencyMs: 50,
      killAfter: 0,
      atInMs: 6000,
      bundlePath: WORKFLOW_BUNDLE_PATH,
      log: () => undefined,
    });
    expect(counts).toMatchObject({
      requested: 20,
      completedBeforeKill: 0,
      completed: 20,
      notCompleted: 0,
      cancelledExactlyOnce: 20,
      cancelledTwiceOrMore: 0,
      neverCancelled: 0,
    });
    expect(counts.inFlightAtKill).toBe(20);
  });
});
