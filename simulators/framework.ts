import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { z } from 'zod';

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

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings are sent as they are (with the given content type). */
  body?: unknown;
  contentType?: string;
}

export type Handler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

export const FaultSchema = z.discriminatedUnion('kind', [
  /** Answer with this status (and body) instead of running the handler. */
  z.object({ kind: z.literal('status'), status: z.number().int(), body: z.unknown().optional() }),
  /** Answer the way this provider throttles (its own headers and body). */
  z.object({ kind: z.literal('rate-limit'), retryAfterSeconds: z.number().min(0).default(1) }),
  /** Run the handler, but only answer after a delay. */
  z.object({ kind: z.literal('latency'), ms: z.number().int().min(0) }),
  /** Never answer: the client's timeout must fire. */
  z.object({ kind: z.literal('hang') }),
  /** Apply the change, then drop the connection before answering. */
  z.object({ kind: z.literal('lost-response') }),
]);
export type Fault = z.infer<typeof FaultSchema>;

export const FaultRuleSchema = z.object({
  /** Route to match: method and/or a substring of the path. Absent: every API request. */
  method: z.string().optional(),
  path: z.string().optional(),
  /** Only requests whose raw body contains this (e.g. one service id among many). */
  bodyIncludes: z.string().optional(),
  fault: FaultSchema,
  /** How many matching requests it applies to; 0 means every one until cleared. */
  times: z.number().int().min(0).default(1),
});
export type FaultRule = z.input<typeof FaultRuleSchema>;

interface ArmedRule {
  method?: string;
  path?: string;
  bodyIncludes?: string;
  fault: Fault;
  remaining: number; // Infinity for "until cleared"
}

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
}

/**
 * A small HTTP server that plays one provider. Routes implement the documented API; the control
 * API under /__sim lets tests and the command line inject faults, read the request log, and
 * seed or reset state:
 *   GET/DELETE /__sim/requests   POST/DELETE /__sim/faults   GET/POST /__sim/state   POST /__sim/reset
 */
export class Simulator {
  readonly requests: SimRequest[] = [];
  private readonly routes: Route[] = [];
  private rules: ArmedRule[] = [];
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

  addFault(rule: FaultRule): void {
    const r = FaultRuleSchema.parse(rule);
    this.rules.push({
      ...(r.method !== undefined && { method: r.method.toUpperCase() }),
      ...(r.path !== undefined && { path: r.path }),
      ...(r.bodyIncludes !== undefined && { bodyIncludes: r.bodyIncludes }),
      fault: r.fault,
      remaining: r.times === 0 ? Infinity : r.times,
    });
  }

  clearFaults(): void {
    this.rules = [];
  }

  reset(): void {
    this.clearFaults();
    this.requests.length = 0;
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

  private takeFault(method: string, path: string, body: string): Fault | undefined {
    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        (!r.method || r.method === method) &&
        (!r.path || path.includes(r.path)) &&
        (!r.bodyIncludes || body.includes(r.bodyIncludes)),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (url.pathname.startsWith('/__sim/')) return this.control(req.method ?? 'GET', url.pathname, raw, res);

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

    const fault = this.takeFault(simReq.method, simReq.path, simReq.rawBody);
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

  private control(method: string, path: string, raw: Buffer, res: ServerResponse): void {
    const body = raw.length ? (JSON.parse(raw.toString('utf8')) as unknown) : undefined;
    const ok = (payload: unknown = { ok: true }) => send(res, { status: 200, body: payload });
    try {
      if (path === '/__sim/requests' && method === 'GET') return ok(this.requests);
      if (path === '/__sim/requests' && method === 'DELETE')
        return ok(((this.requests.length = 0), { ok: true }));
      if (path === '/__sim/faults' && method === 'POST') {
        const rules = Array.isArray(body) ? body : [body];
        rules.forEach((r) => this.addFault(r as FaultRule));
        return ok({ ok: true, armed: this.rules.length });
      }
      if (path === '/__sim/faults' && method === 'DELETE') return ok((this.clearFaults(), { ok: true }));
      if (path === '/__sim/faults' && method === 'GET') return ok(this.rules);
      if (path === '/__sim/state' && method === 'GET') return ok(this.options.dumpState?.() ?? {});
      if (path === '/__sim/state' && method === 'POST') return ok((this.options.seed?.(body), { ok: true }));
      if (path === '/__sim/reset' && method === 'POST') return ok((this.reset(), { ok: true }));
      send(res, { status: 404, body: { message: `unknown control endpoint ${method} ${path}` } });
    } catch (err) {
      send(res, { status: 400, body: { message: err instanceof Error ? err.message : String(err) } });
    }
  }
}

function send(res: ServerResponse, r: SimResponse): void {
  const isText = typeof r.body === 'string';
  const payload = r.body === undefined ? '' : isText ? (r.body as string) : JSON.stringify(r.body);
  res.writeHead(r.status, {
    'content-type': r.contentType ?? (isText ? 'text/plain; charset=utf-8' : 'application/json'),
    ...r.headers,
  });
  res.end(payload);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseBody(contentType: string, raw: Buffer, headers: IncomingHttpHeaders): Promise<unknown> {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    if (contentType.startsWith('application/json')) return JSON.parse(text) as unknown;
    if (contentType.startsWith('application/x-www-form-urlencoded'))
      return Object.fromEntries(new URLSearchParams(text));
    if (contentType.startsWith('multipart/form-data')) {
      // Node's fetch Request parses multipart bodies the way a real server framework would.
      const form = await new Request('http://simulator/', {
        method: 'POST',
        headers: { 'content-type': String(headers['content-type']) },
        body: raw,
      }).formData();
      const out: Record<string, string> = {};
      form.forEach((value, key) => (out[key] = typeof value === 'string' ? value : '[file]'));
      return out;
    }
  } catch {
    return undefined; // the route decides how this provider answers an unparseable body
  }
  return undefined;
}

/** Bearer token from an Authorization header, or undefined. */
export function bearerToken(req: SimRequest): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(.+)$/i.exec(h) : null;
  return m?.[1];
}
