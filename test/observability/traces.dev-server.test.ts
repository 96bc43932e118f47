import { randomBytes } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { CancellationClient } from '../../client/cancellation-client';
import { type CancellationRequestInput } from '../../common/request';
import { type RebillySimulator } from '../../simulators/rebilly';
import { installTracing } from '../../workers/tracing';
import { REBILLY_KEY, startRebilly } from '../support/rebilly-fixture';
import { createDevServerEnv, startWorker, type RunningWorker } from '../support/temporal-env';

// Traces across client, workflow, activity and provider HTTP, exported to the SDK's in-memory
// exporter: the spans are there and linked, and none carries a customer id, a target id or a
// secret (attributes, event attributes, status messages and names alike).

const exporter = new InMemorySpanExporter();
// Before any client or worker exists: they pick up the process's tracing when they are built.
installTracing({ processor: new SimpleSpanProcessor(exporter) });

const id = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;
const customerId = id('cus');

describe('OpenTelemetry traces (Rebilly simulator, dev server, in-memory exporter)', () => {
  let env: TestWorkflowEnvironment;
  let sim: RebillySimulator;
  let w: RunningWorker;
  let client: CancellationClient;

  beforeAll(async () => {
    env = await createDevServerEnv();
    const rebilly = await startRebilly();
    sim = rebilly.sim;
    w = await startWorker(env, rebilly.deps);
    // The product's client factory: it adds the tracing interceptor when tracing is installed.
    client = await CancellationClient.connect({ connection: env.connection, taskQueue: w.taskQueue });
  });

  afterAll(async () => {
    await w?.stop();
    await env?.teardown();
    await sim?.stop();
  });

  const request = (orderId: string): CancellationRequestInput => ({
    requestId: id('req'),
    provider: 'rebilly',
    target: { orderId },
    timing: { mode: 'immediate' },
    customerId,
  });

  async function spansOfTrace(rootName: string, endName: string): Promise<ReadableSpan[]> {
    // Workflow spans leave the sandbox through a sink once their activation completes.
    for (let i = 0; i < 60; i++) {
      const spans = exporter.getFinishedSpans();
      const root = spans.find((s) => s.name === rootName);
      const trace = root && spans.filter((s) => s.spanContext().traceId === root.spanContext().traceId);
      if (trace?.some((s) => s.name === endName)) return trace;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(
      `no trace from ${rootName} to ${endName}: ${exporter.getFinishedSpans().map((s) => s.name)}`,
    );
  }

  test('client → workflow → activity → provider HTTP spans form one trace', async () => {
    const orderId = id('ord');
    sim.addOrder({ id: orderId });
    exporter.reset();
    const { workflowId } = await client.request(request(orderId));
    expect((await client.result(workflowId)).status).toBe('completed');

    const trace = await spansOfTrace('StartWorkflow:cancelSubscription', 'RunWorkflow:cancelSubscription');
    const one = (name: string) => {
      const found = trace.filter((s) => s.name === name);
      expect({ name, count: found.length }).toEqual({ name, count: 1 });
      return found[0]!;
    };
    const start = one('StartWorkflow:cancelSubscription');
    const run = one('RunWorkflow:cancelSubscription');
    const schedule = one('StartActivity:rebillySubmitCancellation');
    const execute = one('RunActivity:rebillySubmitCancellation');
    const put = one('PUT /organizations/{id}/order-cancellations/{id}');

    expect(run.parentSpanId).toBe(start.spanContext().spanId);
    // Workflow spans name the run, and nothing else of its info (memo, search attributes).
    expect(Object.keys(run.attributes).sort()).toEqual(
      ['attempt', 'namespace', 'runId', 'taskQueue', 'workflowId', 'workflowType'].sort(),
    );
    expect(schedule.parentSpanId).toBe(run.spanContext().spanId);
    expect(execute.parentSpanId).toBe(schedule.spanContext().spanId);
    expect(put.parentSpanId).toBe(execute.spanContext().spanId);
    expect(put.attributes).toMatchObject({
      'http.request.method': 'PUT',
      'http.route': '/organizations/{id}/order-cancellations/{id}',
      'http.response.status_code': 201,
      'cancellations.provider': 'rebilly',
      'cancellations.operation': 'upsert order-cancellation',
    });
    // The confirmation read is traced too, as a child of its own activity.
    const confirm = one('RunActivity:rebillyConfirmCancellation');
    expect(
      trace.some((s) => s.name.startsWith('GET ') && s.parentSpanId === confirm.spanContext().spanId),
    ).toBe(true);
    expectNothingIdentifying(trace, [orderId]);
  });

  test('a failed run is traced with its error type, not the provider message that names the order', async () => {
    // Providers quote ids in their refusals; this one says which order it does not know.
    const orderId = id('ord');
    sim.addOrder({ id: orderId });
    sim.addFault({
      method: 'PUT',
      fault: {
        kind: 'status',
        status: 404,
        body: { title: 'Not Found', detail: `Order ${orderId} not found` },
      },
    });
    exporter.reset();
    const { workflowId } = await client.request(request(orderId));
    expect((await client.result(workflowId)).status).toBe('failed');

    const trace = await spansOfTrace('StartWorkflow:cancelSubscription', 'RunWorkflow:cancelSubscription');
    const failedActivity = trace.find((s) => s.name.startsWith('RunActivity:rebilly') && s.status.code === 2);
    expect(failedActivity?.attributes['error.type']).toBe('ProviderNotFound');
    expect(trace.find((s) => s.name === 'RunWorkflow:cancelSubscription')?.status.code).toBe(2);
    expectNothingIdentifying(trace, [orderId]);
  });

  /** Every string a span holds, wherever it is: name, attributes, events, status message. */
  function expectNothingIdentifying(spans: ReadableSpan[], targetIds: string[]) {
    const forbidden = [customerId, ...targetIds, REBILLY_KEY];
    for (const span of spans) {
      const strings = [
        span.name,
        span.status.message ?? '',
        ...Object.entries(span.attributes).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
        ...span.events.flatMap((e) => [
          e.name,
          ...Object.entries(e.attributes ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
        ]),
      ];
      for (const s of strings)
        for (const f of forbidden)
          expect({ span: span.name, value: s, leaks: s.includes(f) }).toEqual({
            span: span.name,
            value: s,
            leaks: false,
          });
    }
  }
});
