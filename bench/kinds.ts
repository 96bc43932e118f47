import { randomBytes } from 'node:crypto';
import { type Client } from '@temporalio/client';
import { type CancellationClient } from '../client/cancellation-client';
import { type SimulatorSet } from '../simulators';
import { seedMany } from '../harness/targets';

/** One kind of unit of work: a product cancellation or the baseline workflow. */
export interface Kind {
  name: 'cancellation' | 'baseline';
  /** Runs one from request to confirmed result; resolves to false if it did not complete. */
  once(): Promise<boolean>;
}

/** A cancellation of a freshly seeded subscription, through the product's client. */
export function cancellationKind(client: CancellationClient, sims: SimulatorSet, runKey: string): Kind {
  let n = 0;
  return {
    name: 'cancellation',
    async once() {
      const [s] = seedMany(sims, 1, `${runKey}${(n++ % 1e9).toString(36)}`);
      const accepted = await client.request(s!.request);
      const result = await client.result(accepted.workflowId);
      return result.status === 'completed';
    },
  };
}

/** The baseline workflow (one no-op activity): Temporal's own round trip. */
export function baselineKind(client: Client, taskQueue: string, eager = false): Kind {
  return {
    name: 'baseline',
    async once() {
      const handle = await client.workflow.start('baselineWorkflow', {
        taskQueue,
        workflowId: `baseline-${randomBytes(8).toString('hex')}`,
        ...(eager && { requestEagerStart: true }),
      });
      return (await handle.result()) === 'ok';
    },
  };
}
