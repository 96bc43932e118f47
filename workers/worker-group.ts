import { type State, type Worker } from '@temporalio/worker';

/**
 * Several workers of one process run, stopped and reported on as one, with the Worker methods the
 * callers use. They stand or fall together: when one stops or fails, the others are shut down, so
 * a process never keeps polling half of its queues.
 */
export class WorkerGroup {
  constructor(readonly workers: readonly Worker[]) {}

  async run(): Promise<void> {
    const runs = this.workers.map((w) => w.run());
    for (const r of runs) r.then(this.stopRest, this.stopRest);
    const settled = await Promise.allSettled(runs);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Runs the workers until `fnOrPromise` settles, then shuts them down (Worker.runUntil). */
  async runUntil<R>(fnOrPromise: Promise<R> | (() => Promise<R>)): Promise<R> {
    const running = this.run();
    try {
      return await Promise.race([
        typeof fnOrPromise === 'function' ? fnOrPromise() : fnOrPromise,
        running.then(() => {
          throw new Error('the workers stopped before the promise settled');
        }),
      ]);
    } finally {
      this.shutdown();
      await running;
    }
  }

  /** Shuts down every worker that is running; the others are stopping or were never started. */
  shutdown(): void {
    for (const w of this.workers) if (w.getState() === 'RUNNING') w.shutdown();
  }

  /** RUNNING only once every worker runs; FAILED if one failed; STOPPING while any winds down. */
  getState(): State {
    const states = this.workers.map((w) => w.getState());
    if (states.every((s) => s === states[0])) return states[0] ?? 'STOPPED';
    if (states.includes('FAILED')) return 'FAILED';
    if (states.some((s) => s !== 'RUNNING' && s !== 'INITIALIZED')) return 'STOPPING';
    return 'INITIALIZED';
  }

  private readonly stopRest = () => this.shutdown();
}
