import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { createHttpClient, send, type HttpClient } from '../../activities/http/client';
import { PROVIDER_UNAVAILABLE } from '../../common/errors';

// A loopback server whose answer each test sets: what got does on its own is what is tested here.
let server: Server;
let base: string;
let hits: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
let answer: (res: ServerResponse) => void = (res) => res.end('ok');

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  hits = [];
});

const http = () => createHttpClient({ timeoutMs: 300 });

describe('createHttpClient + send', () => {
  test('sends what the caller asked for, returns the text body and identifies itself', async () => {
    answer = (res) => res.end('{"a":1}');
    const r = await send(http(), 'payway', 'cancel', `${base}/x`, {
      method: 'POST',
      body: '{"why":"unused"}',
    });
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('{"a":1}');
    expect(hits).toEqual([expect.objectContaining({ method: 'POST', url: '/x', body: '{"why":"unused"}' })]);
    expect(hits[0]?.headers['user-agent']).toBe('subscription-cancellations/0.1');
  });

  test('an HTTP error is an answer, not an exception, and is not retried by got', async () => {
    answer = (res) => {
      res.statusCode = 503;
      res.end('down');
    };
    const r = await send(http(), 'payway', 'read', `${base}/x`, { method: 'GET' });
    expect(r.statusCode).toBe(503);
    expect(r.body).toBe('down');
    expect(hits).toHaveLength(1);
  });

  test('a redirect is returned as it is, never followed', async () => {
    answer = (res) => {
      res.statusCode = 302;
      res.setHeader('location', '/elsewhere');
      res.end();
    };
    const r = await send(http(), 'payway', 'read', `${base}/x`, { method: 'GET' });
    expect(r.statusCode).toBe(302);
    expect(hits.map((h) => h.url)).toEqual(['/x']);
  });

  test('no answer in time is a retryable ProviderUnavailable naming the error', async () => {
    answer = () => undefined; // never answers
    const err = await send(http(), 'rebilly', 'cancel', `${base}/slow`, { method: 'POST', body: '{}' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    const f = err as ApplicationFailure;
    expect(f.type).toBe(PROVIDER_UNAVAILABLE);
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toMatch(
      /^rebilly cancel: no answer \(ETIMEDOUT: Timeout awaiting 'request' for 300ms\)$/,
    );
    expect(hits).toHaveLength(1);
  });

  test('an error that is not about the request is passed on unchanged', async () => {
    const boom = new TypeError('a bug, not the network');
    // send only calls the client; a stand-in that throws a non-got error is enough here.
    const failing = (async () => {
      throw boom;
    }) as unknown as HttpClient;
    await expect(send(failing, 'payway', 'read', `${base}/x`, {})).rejects.toBe(boom);
  });
});
