import { randomBytes } from 'node:crypto';
import { type LogLevel, type LogMetadata, type Payload } from '@temporalio/common';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import { AesGcmCodec, encryptionKeyIdOf } from '../../codec/aes-gcm-codec';
import { dataConverterFor } from '../../codec/data-converter';
import { IdHasher } from '../../codec/id-hash';
import { redactingLogger, secretValuesFromEnv } from '../../codec/redact';
import { startCodecServer, type RunningCodecServer } from '../../codec/server';
import { CancellationClient } from '../../client/cancellation-client';
import { InvalidRequestError } from '../../client/errors';
import { type CancellationRequestInput } from '../../common/request';
import { SA_CUSTOMER_ID } from '../../common/search-attributes';
import { type RebillySimulator } from '../../simulators/rebilly';
import { REBILLY_KEY, startRebilly } from '../support/rebilly-fixture';
import {
  createDevServerEnv,
  startWorker,
  temporalClientFor,
  type RunningWorker,
} from '../support/temporal-env';

// Data protection end to end, on the real dev server: what Temporal stores must not show customer
// data or secrets, the codec server shows it to the token holder only, and keys can rotate.

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const hashKey = randomBytes(32);
const codecToken = randomBytes(24).toString('hex');
const secretEnv = {
  REBILLY_API_KEY: REBILLY_KEY,
  CANCELLATIONS_ENCRYPTION_KEYS: `A:${keyA.toString('base64')},B:${keyB.toString('base64')}`,
  CANCELLATIONS_ID_HASH_KEY: hashKey.toString('base64'),
  CANCELLATIONS_CODEC_TOKEN: codecToken,
};
const SECRETS = [
  REBILLY_KEY,
  keyA.toString('base64'),
  keyB.toString('base64'),
  hashKey.toString('base64'),
  codecToken,
];

// Worker logs, captured as the worker writes them (through the same redaction as workers/run.ts).
// The runtime can be installed once per process; jest gives every test file its own.
const logLines: string[] = [];
Runtime.install({
  logger: redactingLogger(
    {
      log: (level: LogLevel, message: string, meta?: LogMetadata) =>
        logLines.push(
          `${level} ${message} ${JSON.stringify(meta ?? {}, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`,
        ),
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    },
    secretValuesFromEnv(secretEnv),
  ),
});

const codecOnlyA = new AesGcmCodec({ keys: new Map([['A', keyA]]), currentKeyId: 'A' });
const codecAB = new AesGcmCodec({
  keys: new Map([
    ['A', keyA],
    ['B', keyB],
  ]),
  currentKeyId: 'B',
});
const codecOnlyB = new AesGcmCodec({ keys: new Map([['B', keyB]]), currentKeyId: 'B' });
const ids = new IdHasher(hashKey);

/** Every Uint8Array in a proto object, and its payloads ({metadata, data}), with their paths. */
function walk(value: unknown, at: string, visit: (path: string, v: unknown) => void): void {
  visit(at, value);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(v, `${at}.${k}`, visit);
}

/**
 * Marker details the SDK's core writes itself, past the data converter: a patch's id
 * (workflows/patches.ts) and a local activity's bookkeeping. They stay in the text scan.
 */
const CORE_MARKER_DETAIL = /markerRecordedEventAttributes\.details\.(patch-data|data)\.payloads/;
const CORE_MARKER_FIELDS = new Set([
  'id',
  'deprecated',
  'seq',
  'attempt',
  'activity_id',
  'activity_type',
  'complete_time',
  'backoff',
  'original_schedule_time',
]);

async function historyOf(env: TestWorkflowEnvironment, workflowId: string) {
  const { history } = await env.client.workflowService.getWorkflowExecutionHistory({
    namespace: env.namespace ?? 'default',
    execution: { workflowId },
  });
  const events = history?.events ?? [];
  // Everything a reader of the history could see: the proto as JSON, and every byte field as text.
  const texts: string[] = [JSON.stringify(events)];
  const payloads: { path: string; payload: Payload }[] = [];
  const coreMarkerFields: string[] = [];
  walk(events, 'events', (path, v) => {
    if (v instanceof Uint8Array)
      texts.push(Buffer.from(v).toString('utf8'), Buffer.from(v).toString('base64'));
    else if (
      v &&
      typeof v === 'object' &&
      'data' in v &&
      'metadata' in v &&
      !path.includes('searchAttributes')
    ) {
      const payload = v as Payload;
      if (!CORE_MARKER_DETAIL.test(path)) payloads.push({ path, payload });
      else
        coreMarkerFields.push(...Object.keys(JSON.parse(Buffer.from(payload.data ?? []).toString('utf8'))));
    }
  });
  return { events, text: texts.join('\n'), payloads, coreMarkerFields };
}

const waitFor = async (what: string, check: () => Promise<boolean>) => {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('data protection on the Temporal dev server (Rebilly simulator)', () => {
  let env: TestWorkflowEnvironment;
  let sim: RebillySimulator;
  let rebillyDeps: Awaited<ReturnType<typeof startRebilly>>['deps'];
  let codecServer: RunningCodecServer;
  let w: RunningWorker;
  let client: CancellationClient;

  beforeAll(async () => {
    codecServer = await startCodecServer({
      codec: codecAB,
      token: codecToken,
      corsOrigins: ['http://localhost:8233'],
      port: 0,
    });
    // As npm start does: the dev server's Web UI decodes through the codec server.
    env = await createDevServerEnv({ extraArgs: ['--ui-codec-endpoint', codecServer.uiEndpoint] });
    const rebilly = await startRebilly();
    sim = rebilly.sim;
    rebillyDeps = rebilly.deps;
    w = await startWorker(env, rebilly.deps, { dataConverter: dataConverterFor(codecOnlyA) });
    client = new CancellationClient(w.temporal, w.taskQueue, { ids });
  });
  afterAll(async () => {
    await w?.stop();
    await env?.teardown();
    await sim?.stop();
    await codecServer?.close();
  });

  const PRIVATE = {
    customerId: 'cus-private-4711',
    comment: 'moving to a competitor, call me on 5550123',
  };
  const input = (orderId: string, requestId: string, over: Partial<CancellationRequestInput> = {}) =>
    ({
      requestId,
      provider: 'rebilly',
      target: { orderId },
      timing: { mode: 'immediate' },
      reason: { code: 'too_expensive', comment: PRIVATE.comment },
      customerId: PRIVATE.customerId,
      ...over,
    }) as CancellationRequestInput;

  const expectNothingPrivate = (text: string, orderId: string) => {
    for (const s of [PRIVATE.customerId, PRIVATE.comment, orderId, ...SECRETS]) expect(text).not.toContain(s);
  };

  let completedId: string;

  test('a completed run: history holds ciphertext only, and no secret', async () => {
    sim.addOrder({ id: 'ord-private-9001' });
    const { workflowId } = await client.request(input('ord-private-9001', 'dp-req-1'));
    completedId = workflowId;
    expect(workflowId).not.toContain('ord-private-9001');
    expect((await client.result(workflowId)).status).toBe('completed');

    const h = await historyOf(env, workflowId);
    expect(h.events.length).toBeGreaterThan(5);
    expectNothingPrivate(h.text, 'ord-private-9001');
    // The scan does see what is stored in plaintext: the request id search attribute, the run id.
    expect(h.text).toContain('dp-req-1');
    expect(h.text).toContain(workflowId);
    // Every payload (input, result, activity arguments and results, summaries, memo) is encrypted.
    expect(h.payloads.length).toBeGreaterThan(5);
    for (const { path, payload } of h.payloads)
      expect([path, encryptionKeyIdOf(payload)]).toEqual([path, 'A']);
    expect(h.payloads.some((p) => p.path.includes('userMetadata'))).toBe(true);
    expect(h.payloads.some((p) => p.path.includes('memo'))).toBe(true);
    // What the core wrote in plaintext is its bookkeeping, field by field, and nothing else.
    expect(h.coreMarkerFields).toContain('activity_type');
    expect(h.coreMarkerFields.filter((f) => !CORE_MARKER_FIELDS.has(f))).toEqual([]);

    // The customer is findable by its keyed hash only.
    const described = await w.temporal.workflow.getHandle(workflowId).describe();
    expect(described.typedSearchAttributes.get(SA_CUSTOMER_ID)).toBe(ids.customerId(PRIVATE.customerId));
    let listed: Awaited<ReturnType<typeof client.list>> = [];
    await waitFor('visibility', async () => {
      listed = await client.list({ customerId: PRIVATE.customerId });
      return listed.some((l) => l.workflowId === workflowId);
    });
    expect(await client.list({ customerId: 'cus-someone-else' })).toEqual([]);
    // With the key, the summary is readable as before.
    expect(await described.staticSummary()).toBe('Cancel Rebilly order ord-private-9001 (immediately)');
  });

  test('a scheduled run, withdrawn with a reason: nothing private in its history either', async () => {
    sim.addOrder({ id: 'ord-private-9002' });
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const { workflowId } = await client.request(
      input('ord-private-9002', 'dp-req-2', { timing: { mode: 'at', at } }),
    );
    await waitFor('the timer', async () =>
      (await historyOf(env, workflowId)).events.some((e) => e.timerStartedEventAttributes),
    );
    expectNothingPrivate((await historyOf(env, workflowId)).text, 'ord-private-9002');
    await client.withdraw(workflowId, `customer changed mind: ${PRIVATE.comment}`);
    const h = await historyOf(env, workflowId);
    expectNothingPrivate(h.text, 'ord-private-9002');
    for (const { payload } of h.payloads) expect(encryptionKeyIdOf(payload)).toBe('A');
  });

  test('the codec server decodes that history for the token holder and refuses everyone else', async () => {
    const { payloads } = await historyOf(env, completedId);
    const body = JSON.stringify({
      payloads: payloads.map(({ payload }) => ({
        metadata: Object.fromEntries(
          Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(payload.data ?? []).toString('base64'),
      })),
    });
    const decode = (url: string, headers: Record<string, string> = {}) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
        body,
      });

    const ok = await decode(`${codecServer.url}/decode`, { authorization: `Bearer ${codecToken}` });
    expect(ok.status).toBe(200);
    const decoded = (await ok.json()) as { payloads: { data: string }[] };
    expect(decoded.payloads).toHaveLength(payloads.length);
    const plain = decoded.payloads.map((p) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');
    expect(plain).toContain(PRIVATE.customerId);
    expect(plain).toContain(PRIVATE.comment);
    expect(plain).toContain('ord-private-9001');
    expect(plain).not.toContain(REBILLY_KEY);
    // The Web UI's form: the token in the endpoint path.
    expect((await decode(`${codecServer.uiEndpoint}/decode`)).status).toBe(200);

    const refused = await decode(`${codecServer.url}/decode`);
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toContain(PRIVATE.customerId);
    expect(
      (await decode(`${codecServer.url}/decode`, { authorization: 'Bearer not-the-token-123456' })).status,
    ).toBe(401);
  });

  test('key rotation: a run started under key A completes on a worker with keys A and B (current B)', async () => {
    sim.addOrder({ id: 'ord-private-9003' });
    const old = await startWorker(env, rebillyDeps, { dataConverter: dataConverterFor(codecOnlyA) });
    const oldClient = new CancellationClient(old.temporal, old.taskQueue, { ids });
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const { workflowId } = await oldClient.request(
      input('ord-private-9003', 'dp-req-3', { timing: { mode: 'at', at } }),
    );
    await waitFor('the timer', async () =>
      (await historyOf(env, workflowId)).events.some((e) => e.timerStartedEventAttributes),
    );
    await old.stop();

    const rotated = await startWorker(env, rebillyDeps, {
      dataConverter: dataConverterFor(codecAB),
      taskQueue: old.taskQueue,
    });
    try {
      const newClient = new CancellationClient(rotated.temporal, rotated.taskQueue, { ids });
      await newClient.expedite(workflowId);
      const result = await newClient.result(workflowId);
      expect(result.status).toBe('completed');

      const h = await historyOf(env, workflowId);
      expectNothingPrivate(h.text, 'ord-private-9003');
      const keyAt = (attr: string) =>
        h.payloads.filter((p) => p.path.includes(attr)).map((p) => encryptionKeyIdOf(p.payload));
      // The request and the run options, both under the key current when the run started.
      expect(keyAt('workflowExecutionStartedEventAttributes.input')).toEqual(['A', 'A']);
      // Submit and confirm, after the rotation; then the local activity that started the
      // verification run: its result in its marker (its input is that run's own).
      expect(keyAt('activityTaskScheduledEventAttributes.input')).toEqual(['B', 'B']);
      expect(keyAt('markerRecordedEventAttributes.details.result')).toEqual(['B']);
      expect(keyAt('workflowExecutionCompletedEventAttributes.result')).toEqual(['B']);

      // A process without key A cannot read the old input: a clear error, not garbage.
      const onlyB = temporalClientFor(env, dataConverterFor(codecOnlyB));
      await expect(
        onlyB.workflow
          .getHandle(workflowId)
          .describe()
          .then((d) => d.staticSummary()),
      ).rejects.toThrow(/encrypted with key "A", which is not configured here/);
      // A process with no keys at all cannot decode the result either, and says why.
      await expect(env.client.workflow.getHandle(workflowId).result()).rejects.toThrow(/binary\/encrypted/);
    } finally {
      await rotated.stop();
    }
  });

  test('a schedule more than five years ahead is refused before anything starts, naming the field', async () => {
    const at = new Date(Date.now() + 6 * 366 * 24 * 3_600_000).toISOString();
    const err = await client
      .request(input('ord-private-9004', 'dp-req-4', { timing: { mode: 'at', at } }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as InvalidRequestError).field).toBe('timing.at');
  });

  test('captured worker logs carry no secret', () => {
    expect(logLines.some((l) => l.includes('stage completed'))).toBe(true);
    const text = logLines.join('\n');
    for (const s of SECRETS) expect(text).not.toContain(s);
  });
});
