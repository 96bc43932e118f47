import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type NativeConnection, type State } from '@temporalio/worker';
import { z } from 'zod';
import { ConfigError } from '../activities/config';
import { listenAddress } from '../common/listen-address';
import { fieldPath } from '../common/validation';

// A worker's health for container orchestrators (the Dockerfile's HEALTHCHECK, a Kubernetes probe):
// healthy means this process can do work: its workers poll (RUNNING) and the Temporal frontend
// answers. A worker whose pollers stopped, or that cannot reach Temporal, is of no use however
// alive its process is.

const HealthEnvSchema = z.object({
  /** Where GET /healthz listens, e.g. 0.0.0.0:8081 (port 0: any free port). Unset: no endpoint. */
  CANCELLATIONS_HEALTH_ADDRESS: listenAddress('0.0.0.0:8081').optional(),
});

/** What the endpoint reads: the worker's state and a round trip to the Temporal frontend. */
export interface HealthSource {
  getState(): State;
  /** Resolves if the frontend answers (gRPC health check); rejects otherwise. */
  checkTemporal(): Promise<void>;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  worker: State;
  temporal: 'reachable' | 'unreachable' | 'not checked';
}

/** The report behind GET /healthz; Temporal is only asked while the worker runs. */
export async function healthReport(source: HealthSource): Promise<HealthReport> {
  const worker = source.getState();
  if (worker !== 'RUNNING') return { status: 'unavailable', worker, temporal: 'not checked' };
  try {
    await source.checkTemporal();
    return { status: 'ok', worker, temporal: 'reachable' };
  } catch {
    return { status: 'unavailable', worker, temporal: 'unreachable' };
  }
}

/** The host:port from CANCELLATIONS_HEALTH_ADDRESS, or undefined when unset or empty. */
export function healthAddressFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const parsed = HealthEnvSchema.safeParse(env.CANCELLATIONS_HEALTH_ADDRESS === '' ? {} : env);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${fieldPath(i?.path ?? [])}: ${i?.message}`);
  }
  return parsed.data.CANCELLATIONS_HEALTH_ADDRESS;
}

function splitAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return {
    host: address.slice(0, colon).replace(/^\[(.*)\]$/, '$1'),
    port: Number(address.slice(colon + 1)),
  };
}

export interface HealthServer {
  /** e.g. http://0.0.0.0:8081/healthz (the bound port when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

/** Serves GET /healthz: 200 with the report when healthy, 503 with it otherwise. */
export async function startHealthServer(source: HealthSource, address: string): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/healthz') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /healthz\n');
      return;
    }
    void healthReport(source).then((report) => {
      res
        .writeHead(report.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' })
        .end(`${JSON.stringify(report)}\n`);
    });
  });
  const { host, port } = splitAddress(address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}/healthz`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** How long the frontend may take to answer a health check before the worker counts as cut off. */
export const TEMPORAL_CHECK_TIMEOUT_MS = 3_000;

/** grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING (the enum is not worth loading the protos). */
const SERVING = 1;

/** A worker (or group of workers) and its connection, asked with the standard gRPC health check. */
export function healthSourceFor(worker: { getState(): State }, connection: NativeConnection): HealthSource {
  return {
    getState: () => worker.getState(),
    async checkTemporal() {
      const { status } = await connection.withDeadline(Date.now() + TEMPORAL_CHECK_TIMEOUT_MS, () =>
        connection.healthService.check({}),
      );
      if (status !== SERVING) throw new Error(`the Temporal frontend reports status ${String(status)}`);
    },
  };
}

/**
 * The probe the container runs (`node dist/workers/health.js`): exit 0 if the worker in this
 * container reports healthy, 1 otherwise. It asks the address the worker listens on, with a
 * wildcard host replaced by loopback.
 */
export async function probe(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const address = healthAddressFromEnv(env);
  if (!address) {
    console.error('CANCELLATIONS_HEALTH_ADDRESS is not set: the worker serves no health endpoint');
    return 1;
  }
  const { host, port } = splitAddress(address);
  const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  try {
    const res = await fetch(`http://${local}:${port}/healthz`, {
      signal: AbortSignal.timeout(TEMPORAL_CHECK_TIMEOUT_MS + 2_000),
    });
    console.log((await res.text()).trim());
    return res.ok ? 0 : 1;
  } catch (err) {
    console.error(`no answer from the worker's health endpoint: ${(err as Error).message}`);
    return 1;
  }
}

if (require.main === module) void probe().then((code) => process.exit(code));
