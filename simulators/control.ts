import { type ServerResponse } from 'node:http';
import { z } from 'zod';
import { type FaultRule, type Simulator } from './framework';
import { send } from './http-io';

/**
 * The control API under /__sim, for tests and `npm run simulators -- ...`:
 *   GET/DELETE /__sim/requests   POST/DELETE/GET /__sim/faults   GET/POST /__sim/state   POST /__sim/reset
 *   GET /__sim/writes   GET /__sim/changes   POST /__sim/clock {now}   POST /__sim/automation {mode}
 */
export function handleControl(
  sim: Simulator,
  method: string,
  path: string,
  raw: Buffer,
  res: ServerResponse,
): void {
  const ok = (payload: unknown = { ok: true }) => send(res, { status: 200, body: payload });
  try {
    const body = raw.length ? (JSON.parse(raw.toString('utf8')) as unknown) : undefined;
    if (path === '/__sim/requests' && method === 'GET') return ok(sim.requests);
    if (path === '/__sim/requests' && method === 'DELETE')
      return ok(((sim.requests.length = 0), { ok: true }));
    if (path === '/__sim/faults' && method === 'POST') {
      const rules = Array.isArray(body) ? body : [body];
      rules.forEach((r) => sim.addFault(r as FaultRule));
      return ok({ ok: true, armed: sim.armedFaults().length });
    }
    if (path === '/__sim/faults' && method === 'DELETE') return ok((sim.clearFaults(), { ok: true }));
    if (path === '/__sim/faults' && method === 'GET') return ok(sim.armedFaults());
    if (path === '/__sim/changes' && method === 'GET') return ok(sim.changes);
    if (path === '/__sim/writes' && method === 'GET') return ok(sim.writes());
    if (path === '/__sim/clock' && method === 'POST') {
      const at = z.object({ now: z.iso.datetime({ offset: true }) }).parse(body).now;
      return ok((sim.setNow(at), { ok: true, now: sim.now().toISOString() }));
    }
    if (path === '/__sim/automation' && method === 'POST') {
      sim.automation = z.object({ mode: z.enum(['applies', 'forgets']) }).parse(body).mode;
      return ok({ ok: true, mode: sim.automation });
    }
    if (path === '/__sim/state' && method === 'GET') return ok(sim.options.dumpState?.() ?? {});
    if (path === '/__sim/state' && method === 'POST') return ok((sim.options.seed?.(body), { ok: true }));
    if (path === '/__sim/reset' && method === 'POST') return ok((sim.reset(), { ok: true }));
    send(res, { status: 404, body: { message: `unknown control endpoint ${method} ${path}` } });
  } catch (err) {
    send(res, { status: 400, body: { message: err instanceof Error ? err.message : String(err) } });
  }
}
