import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type CallbackEvent } from '../../common/callbacks';

export interface ReceivedAttempt {
  id: string;
  type: string;
  signatureValid: boolean;
  answered: number;
}

/**
 * A backend's webhook endpoint on 127.0.0.1: checks each POST's signature the way the contract
 * says a receiver should (computed here from the contract, not with the project's own helper),
 * answers `failFirst` attempts of each delivery id with `failWith`, then 200, and keeps the events
 * it took, once per delivery id.
 */
export class CallbackReceiver {
  readonly attempts: ReceivedAttempt[] = [];
  /** Events answered 2xx, deduplicated by delivery id as a receiver should. */
  readonly events = new Map<string, CallbackEvent>();
  failFirst = 0;
  failWith = 503;
  private server: Server | undefined;

  constructor(private readonly secret: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const event = JSON.parse(body) as CallbackEvent;
        const signatureValid = this.signatureValid(req.headers['cancellations-signature'], body);
        const earlier = this.attempts.filter((a) => a.id === event.id).length;
        const answered = !signatureValid ? 400 : earlier < this.failFirst ? this.failWith : 200;
        this.attempts.push({ id: event.id, type: event.type, signatureValid, answered });
        if (answered === 200 && !this.events.has(event.id)) this.events.set(event.id, event);
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${this.port}/hooks/cancellations`;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  eventsOf(workflowId: string): CallbackEvent[] {
    return [...this.events.values()].filter((e) => e.data.workflowId === workflowId);
  }

  attemptsOf(id: string): ReceivedAttempt[] {
    return this.attempts.filter((a) => a.id === id);
  }

  /** Polls until `count` events of the run have been taken (a delivery is a run of its own). */
  async waitForEvents(workflowId: string, count: number, deadlineMs = 60_000): Promise<CallbackEvent[]> {
    const until = Date.now() + deadlineMs;
    while (this.eventsOf(workflowId).length < count && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    return this.eventsOf(workflowId);
  }

  private signatureValid(header: string | string[] | undefined, body: string): boolean {
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(header ?? ''));
    if (!m) return false;
    const expected = createHmac('sha256', this.secret).update(`${m[1]}.${body}`).digest('hex');
    return expected === m[2] && Math.abs(Date.now() / 1000 - Number(m[1])) < 300;
  }
}
