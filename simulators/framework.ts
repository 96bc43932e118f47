import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { handleControl } from './control';
import { FaultRules, type FaultRule } from './faults';
import { parseBody, readBody, send } from './http-io';

export { bearerToken } from './http-io';
export { FaultRuleSchema, FaultSchema, type Fault, type FaultRule } from './faults';

/** A request as the simulator saw it: what contract tests assert on. */
export interface SimRequest {
  seq: number;
  at: string;
  method: string;
  path: string;
  query: Record<string, string>;
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  contentType: string;
  rawBody: string;
  /** JSON, urlencoded or multipart bodies parsed into plain values; otherwise undefined. */
  body: unknown;
  /** What the simulator did with it: the status sent, or the fault that replaced the answer. */
  outcome?: string;
}

/**
 * One effective change of provider state (a subscription cancelled, scheduled to end, ended):
 * counted apart from write calls, because a provider may absorb a second write without a change.
 */
export interface SimChange {
  seq: number;
  at: string;
  /** The provider's id of what changed (order id, service id, user product id, bundle id). */
  target: string;
  change: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings are sent as they are (with the given content type). */
  body?: unknown;
  contentType?: string;
}

export type Handler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

export interface SimulatorOptions {
  name: string;
  /** How this provider answers a throttled request. */
  rateLimited: (retryAfterSeconds: number) => SimResponse;
  /** Provider-specific state, seeded and dumped through the control API. */
  seed?: (state: unknown) => void;
  dumpState?: () => unknown;
  resetState?: () => void;
  /** Which API requests ask the provider to change something (token calls are not writes). */
  isWrite?: (req: SimRequest) => boolean;
}

/**
 * What the provider's own back office does when time passes (renewals, nightly runs, expiries):
 * `applies` does it; `forgets` leaves due changes undone, as a broken automation would.
 */
export type AutomationMode = 'applies' | 'forgets';

/**
 * A small HTTP server that plays one provider. Routes implement the documented API; the control
 * API under /__sim (simulators/control.ts) lets tests and the command line inject faults, read the
 * request log, move the provider's clock, and seed or reset state.
 */
export class Simulator {
  readonly requests: SimRequest[] = [];
  readonly changes: SimChange[] = [];
  automation: AutomationMode = 'applies';
  private clockOffsetMs = 0;
  private changeSeq = 0;
  private readonly routes: Route[] = [];
  private readonly faults = new FaultRules();
  private server?: http.Server;
  private seq = 0;
  private readonly hanging = new Set<ServerResponse>();

  constructor(readonly options: SimulatorOptions) {}

  get name(): string {
    return this.options.name;
  }

  route(method: string, path: string, handler: Handler): this {
    const names: string[] = [];
    const pattern = new RegExp(
      `^${path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, n: string) => (names.push(n), '([^/]+)'))}$`,
    );
    this.routes.push({ method: method.toUpperCase(), pattern, names, handler });
    return this;
  }

  /** The provider's clock: real time, moved by setNow so tests can let a billing period pass. */
  now(): Date {
    return new Date(Date.now() + this.clockOffsetMs);
  }

  setNow(at: Date | string | number): void {
    this.clockOffsetMs = new Date(at).getTime() - Date.now();
  }

  /** Records an effective state change (see SimChange). */
  recordChange(target: string | number, change: string): void {
    this.changes.push({
      seq: ++this.changeSeq,
      at: this.now().toISOString(),
      target: String(target),
      change,
    });
  }

  /** Requests that asked the provider to change something, optionally those whose path or body name `target`. */
  writes(target?: string | number): SimRequest[] {
    const isWrite = this.options.isWrite ?? ((r: SimRequest) => r.method !== 'GET');
    const t = target === undefined ? undefined : String(target);
    // By path segment or by a value in the parsed body: never by raw text, where a short id can
    // also stand inside a multipart boundary.
    return this.requests.filter(
      (r) => isWrite(r) && (t === undefined || r.path.split('/').includes(t) || hasValue(r.body, t)),
    );
  }

  /** Effective changes, optionally of one target. */
  changesOf(target?: string | number): SimChange[] {
    return target === undefined ? this.changes : this.changes.filter((c) => c.target === String(target));
  }

  addFault(rule: FaultRule): void {
    this.faults.add(rule);
  }

  /** The armed fault rules (for the control API). */
  armedFaults(): readonly unknown[] {
    return this.faults.armed();
  }

  clearFaults(): void {
    this.faults.clear();
  }

  reset(): void {
    this.clearFaults();
    this.requests.length = 0;
    this.changes.length = 0;
    this.automation = 'applies';
    this.clockOffsetMs = 0;
    this.options.resetState?.();
  }

  /** Requests that reached the API (not the control endpoints), optionally filtered. */
  calls(method?: string, pathIncludes?: string): SimRequest[] {
    return this.requests.filter(
      (r) =>
        (!method || r.method === method.toUpperCase()) && (!pathIncludes || r.path.includes(pathIncludes)),
    );
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo | null | undefined;
    if (!addr) throw new Error(`${this.name} simulator is not listening`);
    return `http://127.0.0.1:${addr.port}`;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`simulator error: ${err instanceof Error ? err.message : String(err)}`);
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (url.pathname.startsWith('/__sim/'))
      return handleControl(this, req.method ?? 'GET', url.pathname, raw, res);

    const contentType = String(req.headers['content-type'] ?? '');
    const simReq: SimRequest = {
      seq: ++this.seq,
      at: new Date().toISOString(),
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      params: {},
      headers: req.headers,
      contentType,
      rawBody: raw.toString('utf8'),
      body: await parseBody(contentType, raw, req.headers),
    };
    this.requests.push(simReq);

    const fault = this.faults.take(simReq.method, simReq.path, simReq.rawBody);
    if (fault?.kind === 'hang') {
      simReq.outcome = 'hang';
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if (fault?.kind === 'status') {
      simReq.outcome = `fault ${fault.status}`;
      return send(res, { status: fault.status, body: fault.body ?? { message: 'Injected failure' } });
    }
    if (fault?.kind === 'rate-limit') {
      simReq.outcome = 'fault 429';
      return send(res, this.options.rateLimited(fault.retryAfterSeconds));
    }

    const response = await this.dispatch(simReq);
    if (fault?.kind === 'lost-response') {
      simReq.outcome = `lost-response (handler answered ${response.status})`;
      res.socket?.destroy();
      return;
    }
    if (fault?.kind === 'latency') await new Promise((r) => setTimeout(r, fault.ms));
    simReq.outcome = String(response.status);
    send(res, response);
  }

  private async dispatch(req: SimRequest): Promise<SimResponse> {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(req.path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      route.names.forEach((n, i) => (req.params[n] = decodeURIComponent(m[i + 1] ?? '')));
      return route.handler(req);
    }
    return pathMatched
      ? { status: 405, body: { message: 'Method Not Allowed' } }
      : { status: 404, body: { message: 'Not Found' } };
  }
}

/** Whether a parsed body holds `value` anywhere (ids may be nested, e.g. accountRef.id). */
function hasValue(body: unknown, value: string): boolean {
  if (body === null || body === undefined) return false;
  if (typeof body !== 'object') return String(body) === value;
  return Object.values(body as Record<string, unknown>).some((v) => hasValue(v, value));
}
