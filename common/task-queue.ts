import type { Provider } from './request';

export const DEFAULT_TASK_QUEUE = 'cancellations';

/**
 * The task queue of one provider's activities, derived from the queue the workflows run on, so a
 * run on any queue finds the provider workers started next to it. Temporal enforces a rate per
 * task queue across every worker that polls it (maxTaskQueueActivitiesPerSecond): a queue per
 * provider is what turns that into a rate per provider (docs/rate-limits.md). Workflow code calls
 * this, so it must stay a pure function of its arguments.
 */
export function providerTaskQueue(taskQueue: string, provider: Provider): string {
  return `${taskQueue}-${provider}`;
}
