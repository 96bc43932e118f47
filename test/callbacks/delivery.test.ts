import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { CallbackEnvSchema, callbackSettings, isAllowed } from '../../activities/callbacks/config';
import { createCallbackDeliveryActivities } from '../../activities/callbacks/deliver';
import { signatureHeader, verifySignature } from '../../activities/callbacks/signature';
import { loadProviderEnv } from '../../activities/config';
import { createHttpClient } from '../../activities/http/client';
import { type CallbackEvent } from '../../common/callbacks';
import {
  CALLBACK_HOST_NOT_ALLOWED,
  CALLBACK_NOT_CONFIGURED,
  CALLBACK_REJECTED,
  CALLBACK_UNAVAILABLE,
  CALLBACK_URL_REFUSED,
} from '../../common/errors';
import { CallbackReceiver } from './receiver';

const SECRET = 'a-secret-of-32-characters-000000';
const event: CallbackEvent = {
  id: 'evt_00000000-0000-4000-8000-000000000001',
  type: 'cancellation.completed',
  createdAt: '2026-01-01T00:00:00.000Z',
  data: {
    requestId: 'r1',
    workflowId: 'cancellation/rebilly/x',
    provider: 'rebilly',
    status: 'completed',
    requestedAt: '2026-01-01T00:00:00.000Z',
    attempts: 1,
  },
};

describe('the allow-list (CANCELLATIONS_CALLBACK_HOSTS)', () => {
  const hosts = (value: string) =>
    CallbackEnvSchema.parse({ CANCELLATIONS_CALLBACK_HOSTS: value }).CANCELLATIONS_CALLBACK_HOSTS;
  const allowed = (list: string, url: string) => isAllowed(new URL(url), hosts(list));

  test('a host allows any port; host:port that port only, including a scheme default written out', () => {
    expect(allowed('hooks.example.com', 'https://hooks.example.com:8443/x')).toBe(true);
    expect(allowed('hooks.example.com:443', 'https://hooks.example.com/x')).toBe(true);
    expect(allowed('hooks.example.com:443', 'https://hooks.example.com:8443/x')).toBe(false);
    expect(allowed('127.0.0.1:4000', 'http://127.0.0.1:4001/')).toBe(false);
    expect(allowed('[::1]:8080', 'http://[::1]:8080/')).toBe(true);
  });

  test('hosts match exactly (case-insensitive); *.example.com matches subdomains, not the apex', () => {
    expect(allowed('Hooks.Example.com', 'https://hooks.example.COM/')).toBe(true);
    expect(allowed('example.com', 'https://evil-example.com/')).toBe(false);
    expect(allowed('example.com', 'https://hooks.example.com/')).toBe(false);
    expect(allowed('*.example.com', 'https://a.b.example.com/')).toBe(true);
    expect(allowed('*.example.com', 'https://example.com/')).toBe(false);
    expect(allowed('*.example.com', 'https://badexample.com/')).toBe(false);
    expect(allowed('', 'https://example.com/')).toBe(false);
  });

  test('a bad entry stops the worker at start-up, naming the variable', () => {
    expect(() =>
      loadProviderEnv({ CANCELLATIONS_CALLBACK_HOSTS: 'example.com, https://x.example.com/' }),
    ).toThrow(/CANCELLATIONS_CALLBACK_HOSTS: "https:\/\/x.example.com\/" is not a host/);
    expect(() => loadProviderEnv({ CANCELLATIONS_CALLBACK_SECRET: 'short' })).toThrow(
      /CANCELLATIONS_CALLBACK_SECRET: must be at least 16 characters/,
    );
  });
});

describe('the signature', () => {
  const body = JSON.stringify(event);
  test('Stripe-style header over timestamp and body; a receiver checks it with the secret', () => {
    const header = signatureHeader(SECRET, 1_700_000_000, body);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, header, body, 1_700_000_010)).toBe(true);
    expect(verifySignature('another-secret-0000', header, body, 1_700_000_010)).toBe(false);
    expect(verifySignature(SECRET, header, body.replace('r1', 'r2'), 1_700_000_010)).toBe(false);
    expect(verifySignature(SECRET, header, body, 1_700_000_000 + 301)).toBe(false); // a replay
    expect(verifySignature(SECRET, undefined, body, 1_700_000_000)).toBe(false);
  });
});

describe('the deliverCallback activity (real HTTP to 127.0.0.1)', () => {
  const receiver = new CallbackReceiver(SECRET);
  let url = '';
  let silent: Server;
  let silentUrl = '';
  const settings = (over: Partial<ReturnType<typeof callbackSettings>> = {}) => ({
    ...callbackSettings(
      CallbackEnvSchema.parse({
        CANCELLATIONS_CALLBACK_HOSTS: `127.0.0.1:${receiver.port}, 127.0.0.1:${(silent.address() as AddressInfo).port}`,
        CANCELLATIONS_CALLBACK_SECRET: SECRET,
      }),
    ),
    ...over,
  });
  const deliver = (target: string, over: Partial<ReturnType<typeof callbackSettings>> = {}) => {
    const acts = createCallbackDeliveryActivities({
      http: createHttpClient({ timeoutMs: 300 }),
      settings: settings(over),
      clock: () => new Date(),
    });
    const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
    return env.run(acts.deliverCallback, { url: target, event });
  };
  const failureOf = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  };

  beforeAll(async () => {
    url = await receiver.start();
    silent = createServer(() => undefined); // takes the request, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await receiver.stop();
    silent.closeAllConnections();
    await new Promise((r) => silent.close(r));
  });
  beforeEach(() => {
    receiver.failFirst = 0;
    receiver.attempts.length = 0;
    receiver.events.clear();
  });

  test('a 2xx is a delivery: the body is the event, signed', async () => {
    await expect(deliver(url)).resolves.toMatchObject({ status: 200, attempt: 1 });
    expect(receiver.attempts).toEqual([
      { id: event.id, type: event.type, signatureValid: true, answered: 200 },
    ]);
    expect(receiver.events.get(event.id)).toEqual(event);
  });

  test.each([
    [400, CALLBACK_REJECTED],
    [404, CALLBACK_REJECTED],
    [408, CALLBACK_UNAVAILABLE],
    [429, CALLBACK_UNAVAILABLE],
    [500, CALLBACK_UNAVAILABLE],
    [503, CALLBACK_UNAVAILABLE],
  ])('HTTP %i fails the attempt as %s, naming the host only', async (status, type) => {
    receiver.failFirst = 1;
    receiver.failWith = status;
    const failure = await failureOf(deliver(`${url}?tenant=secret-tenant`));
    expect(failure.type).toBe(type);
    expect(failure.message).toBe(`cancellation.completed to 127.0.0.1:${receiver.port}: HTTP ${status}`);
  });

  test('no answer within the timeout is CallbackUnavailable', async () => {
    expect((await failureOf(deliver(silentUrl))).type).toBe(CALLBACK_UNAVAILABLE);
  });

  test('a host not in the allow-list is refused before any request', async () => {
    const failure = await failureOf(deliver(url, { allowedHosts: [] }));
    expect(failure.type).toBe(CALLBACK_HOST_NOT_ALLOWED);
    expect(failure.message).toContain('CANCELLATIONS_CALLBACK_HOSTS');
    expect(receiver.attempts).toHaveLength(0);
  });

  test('plain http to a host that is not loopback is refused, even when allow-listed', async () => {
    const failure = await failureOf(
      deliver('http://hooks.example.com/x', { allowedHosts: [{ hostname: 'hooks.example.com' }] }),
    );
    expect(failure.type).toBe(CALLBACK_URL_REFUSED);
  });

  test('a worker without a secret does not send unsigned events', async () => {
    const failure = await failureOf(deliver(url, { secret: undefined }));
    expect(failure.type).toBe(CALLBACK_NOT_CONFIGURED);
    expect(failure.message).toContain('CANCELLATIONS_CALLBACK_SECRET');
    expect(receiver.attempts).toHaveLength(0);
  });
});
