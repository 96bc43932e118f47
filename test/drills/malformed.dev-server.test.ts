import { InvalidRequestError } from '../../client/errors';
import { MALFORMED } from '../../drills/corpus';
import { malformedDrill, startRaw } from '../../drills/malformed';
import { startDrillSystem, type DrillSystem } from '../../drills/support/system';
import { type WorkerProcess } from '../../harness/worker-process';
import { WORKFLOW_BUNDLE_PATH } from '../support/paths';

// The malformed-request drill of `npm run drills`, in full, against a real dev server: through the
// client (refused before Temporal) and started raw (the workflow itself refuses, naming the field).
describe('drill: malformed requests', () => {
  let sys: DrillSystem;
  let worker: WorkerProcess;

  beforeAll(async () => {
    sys = await startDrillSystem({ name: 'malformed-test', bundlePath: WORKFLOW_BUNDLE_PATH });
    worker = await sys.startWorker();
  });
  afterAll(async () => {
    await worker?.stop();
    await sys?.stop();
  });

  test.each(MALFORMED.map((c) => [c.name, c] as const))(
    'client: %s is refused naming its field',
    async (_, c) => {
      const refusal = await sys.client.request(c.input).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refusal).toBeInstanceOf(InvalidRequestError);
      expect((refusal as InvalidRequestError).field).toBe(c.field);
      expect((refusal as InvalidRequestError).message).toContain(c.field);
    },
  );

  test.each(MALFORMED.map((c, i) => [c.name, c, i] as const))(
    'raw start: %s fails as InvalidRequest naming its field',
    async (_, c, i) => {
      const outcome = await startRaw(sys, c, `malformed-test-raw-${i}`);
      expect({ verdict: outcome.verdict, detail: outcome.detail }).toEqual({
        verdict: 'ok',
        detail: expect.stringContaining(`details.field ${c.field}`),
      });
    },
  );

  test('the whole drill: no provider write, raw runs all failed, a valid request shows in the count', async () => {
    const before = await sys.countWorkflows();
    const counts = await malformedDrill({ ...sys, log: () => undefined });
    expect(counts).toMatchObject({
      cases: MALFORMED.length,
      clientRefusedNamingTheField: MALFORMED.length,
      clientAccepted: 0,
      rawFailedNamingTheField: MALFORMED.length,
      rawCompleted: 0,
      workflowsBefore: before,
      workflowsAfter: before + MALFORMED.length,
      providerWrites: 0,
      controlRequestSeen: true,
    });
  });
});
