import { InvalidRequestError } from '../../client/errors';
import { MALFORMED } from '../../drills/corpus';
import { malformedDrill } from '../../drills/malformed';
import { startDrillSystem, type DrillSystem } from '../../drills/support/system';
import { type WorkerProcess } from '../../drills/support/worker-process';
import { WORKFLOW_BUNDLE_PATH } from '../support/paths';

// The malformed-request drill of `npm run drills`, in full, against a real dev server.
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

  test.each(MALFORMED.map((c) => [c.name, c] as const))('%s is refused naming its field', async (_, c) => {
    const refusal = await sys.client.request(c.input).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refusal).toBeInstanceOf(InvalidRequestError);
    expect((refusal as InvalidRequestError).field).toBe(c.field);
    expect((refusal as InvalidRequestError).message).toContain(c.field);
  });

  test('the whole corpus starts no workflow, while a valid request does show in the count', async () => {
    const counts = await malformedDrill({
      client: sys.client,
      countWorkflows: sys.countWorkflows,
      log: () => undefined,
    });
    expect(counts).toMatchObject({
      cases: MALFORMED.length,
      rejectedNamingTheField: MALFORMED.length,
      accepted: 0,
      workflowsBefore: 0,
      workflowsAfter: 0,
      controlRequestSeen: true,
    });
  });
});
