import { randomBytes } from 'node:crypto';
import { type Client } from '@temporalio/client';
import { type CancellationClient } from '../client/cancellation-client';
import { providers, type Provider } from '../common/request';
import { SA_PROVIDER, SA_REQUEST_ID, SA_STAGE, SA_CUSTOMER_ID } from '../common/search-attributes';
import { providerTaskQueue } from '../common/task-queue';
import { type SimulatorSet } from '../simulators';
import { seedMany } from '../harness/targets';
import { stepsOf, type SkeletonStep } from './skeleton/steps';

/** One kind of unit of work: a product cancellation, the baseline or the skeleton workflow. */
export interface Kind {
  name: 'cancellation' | 'baseline' | 'skeleton';
  /** Runs one from request to confirmed result; resolves to false if it did not complete. */
  once(): Promise<boolean>;
}

/** A cancellation of a freshly seeded subscription, through the product's client: each provider in turn. */
export function cancellationKind(client: CancellationClient, sims: SimulatorSet, runKey: string): Kind {
  let n = 0;
  return {
    name: 'cancellation',
    async once() {
      const provider = providers[n % providers.length]!;
      const [s] = seedMany(sims, 1, `${runKey}${(n++ % 1e9).toString(36)}`, undefined, [provider]);
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

/**
 * The shape of one immediate cancellation per provider, from the history of a real one run through
 * `product` (the skeleton repeats it: bench/skeleton/workflows.ts).
 */
export async function productShapes(
  product: CancellationClient,
  sims: SimulatorSet,
  runKey: string,
): Promise<Record<Provider, SkeletonStep[]>> {
  const shapes = await Promise.all(
    providers.map(async (provider) => {
      const [s] = seedMany(sims, 1, `${runKey}${provider}`, undefined, [provider]);
      const { workflowId } = await product.request(s!.request);
      const result = await product.result(workflowId);
      if (result.status !== 'completed')
        throw new Error(`shape of ${provider}: the cancellation ${result.status}`);
      const history = await product.client.workflow.getHandle(workflowId).fetchHistory();
      return [provider, stepsOf(history.events ?? [], product.taskQueue)] as const;
    }),
  );
  return Object.fromEntries(shapes) as Record<Provider, SkeletonStep[]>;
}

/** The skeleton workflow in each provider's shape in turn, started as the product starts a run. */
export function skeletonKind(
  client: Client,
  taskQueue: string,
  shapes: Record<Provider, SkeletonStep[]>,
): Kind {
  let n = 0;
  return {
    name: 'skeleton',
    async once() {
      const provider = providers[n++ % providers.length]!;
      const id = randomBytes(8).toString('hex');
      const handle = await client.workflow.start('skeletonWorkflow', {
        taskQueue,
        workflowId: `skeleton-${id}`,
        args: [shapes[provider], providerTaskQueue(taskQueue, provider)],
        typedSearchAttributes: [
          { key: SA_PROVIDER, value: provider },
          { key: SA_STAGE, value: 'submitting' },
          { key: SA_REQUEST_ID, value: id },
          { key: SA_CUSTOMER_ID, value: id },
        ],
      });
      return (await handle.result()) === 'ok';
    },
  };
}
