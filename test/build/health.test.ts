import { type State } from '@temporalio/worker';
import { ConfigError } from '../../activities/config';
import {
  healthAddressFromEnv,
  probe,
  startHealthServer,
  type HealthServer,
  type HealthSource,
} from '../../workers/health';

// The worker's health endpoint (CANCELLATIONS_HEALTH_ADDRESS) and the probe the container's
// HEALTHCHECK runs, with a stand-in worker; health.dev-server.test.ts asks a real one.

describe('the worker health endpoint', () => {
  let state: State = 'RUNNING';
  let temporalUp = true;
  let temporalAsked = 0;
  const source: HealthSource = {
    getState: () => state,
    checkTemporal: async () => {
      temporalAsked++;
      if (!temporalUp) throw new Error('deadline exceeded');
    },
  };
  let server: HealthServer;
  const get = async (url = server.url) => {
    const res = await fetch(url);
    return { status: res.status, body: (await res.text()).trim() };
  };

  beforeAll(async () => {
    server = await startHealthServer(source, '127.0.0.1:0');
  });
  afterAll(() => server.close());
  beforeEach(() => {
    state = 'RUNNING';
    temporalUp = true;
    temporalAsked = 0;
  });

  test('200 while the worker runs and Temporal answers', async () => {
    expect(await get()).toEqual({
      status: 200,
      body: JSON.stringify({ status: 'ok', worker: 'RUNNING', temporal: 'reachable' }),
    });
  });

  test('503 when Temporal does not answer, though the worker runs', async () => {
    temporalUp = false;
    expect(await get()).toEqual({
      status: 503,
      body: JSON.stringify({ status: 'unavailable', worker: 'RUNNING', temporal: 'unreachable' }),
    });
  });

  test.each<State>(['INITIALIZED', 'DRAINING', 'STOPPING', 'STOPPED', 'FAILED'])(
    '503 while the worker is %s, without asking Temporal',
    async (s) => {
      state = s;
      const r = await get();
      expect(r.status).toBe(503);
      expect(JSON.parse(r.body)).toEqual({ status: 'unavailable', worker: s, temporal: 'not checked' });
      expect(temporalAsked).toBe(0);
    },
  );

  test('only GET /healthz', async () => {
    expect((await get(server.url.replace('/healthz', '/metrics'))).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(404);
    expect((await get(`${server.url}?verbose=1`)).status).toBe(200);
  });

  test('the probe exits 0 for a healthy worker, 1 otherwise or when nothing answers', async () => {
    const address = new URL(server.url).host;
    const quiet = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const quietErr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await probe({ CANCELLATIONS_HEALTH_ADDRESS: address })).toBe(0);
      // The worker listens on every interface; the probe asks loopback.
      expect(await probe({ CANCELLATIONS_HEALTH_ADDRESS: `0.0.0.0:${new URL(server.url).port}` })).toBe(0);
      state = 'DRAINING';
      expect(await probe({ CANCELLATIONS_HEALTH_ADDRESS: address })).toBe(1);
      const closed = await startHealthServer(source, '127.0.0.1:0');
      const gone = new URL(closed.url).host;
      await closed.close();
      expect(await probe({ CANCELLATIONS_HEALTH_ADDRESS: gone })).toBe(1);
      expect(await probe({})).toBe(1);
    } finally {
      quiet.mockRestore();
      quietErr.mockRestore();
    }
  });

  test('CANCELLATIONS_HEALTH_ADDRESS is host:port, or unset', () => {
    expect(healthAddressFromEnv({})).toBeUndefined();
    expect(healthAddressFromEnv({ CANCELLATIONS_HEALTH_ADDRESS: '' })).toBeUndefined();
    expect(healthAddressFromEnv({ CANCELLATIONS_HEALTH_ADDRESS: '0.0.0.0:8081' })).toBe('0.0.0.0:8081');
    expect(healthAddressFromEnv({ CANCELLATIONS_HEALTH_ADDRESS: '[::1]:8081' })).toBe('[::1]:8081');
    for (const bad of ['8081', 'http://0.0.0.0:8081', 'localhost'])
      expect(() => healthAddressFromEnv({ CANCELLATIONS_HEALTH_ADDRESS: bad })).toThrow(ConfigError);
  });
});
