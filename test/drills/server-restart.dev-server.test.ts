import { serverRestartDrill } from '../../drills/server-restart';
import { WORKFLOW_BUNDLE_PATH } from '../support/paths';

// A small restart drill: twelve cancellations scheduled for one time survive a graceful restart
// and a kill -9 of the dev server, then fire once each. `npm run drills` does it with 500.
describe('drill: dev-server restarts', () => {
  test('every scheduled cancellation survives both restarts and fires once, not early', async () => {
    const counts = await serverRestartDrill({
      count: 12,
      aheadMs: 45_000,
      downMs: 2000,
      modes: ['graceful', 'kill'],
      lateBoundMs: 30_000,
      recoverBoundMs: 60_000,
      bundlePath: WORKFLOW_BUNDLE_PATH,
      log: () => undefined,
    });
    expect(counts).toMatchObject({
      requested: 12,
      scheduledBeforeRestart: 12,
      completed: 12,
      firedEarly: 0,
      firedBeforeRestart: 0,
      cancelledExactlyOnce: 12,
      cancelledTwiceOrMore: 0,
      neverCancelled: 0,
    });
    expect(counts.restarts.map((r) => [r.signal, r.scheduledAfter])).toEqual([
      ['SIGTERM', 12],
      ['SIGKILL', 12],
    ]);
  });
});
