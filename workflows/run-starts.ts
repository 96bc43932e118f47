import {
  patched,
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ONE_TASK_COMPLETION } from './patches';

/** What both kinds of activity options accept, so one policy serves either path. */
export type RunStartOptions = Pick<
  ActivityOptions & LocalActivityOptions,
  'startToCloseTimeout' | 'scheduleToCloseTimeout' | 'retry' | 'summary'
>;

/**
 * The activities that start other runs (the verification run, a callback's delivery run), proxied
 * as this run's version calls them: local activities since ONE_TASK_COMPLETION.
 */
export function runStartActivities(options: RunStartOptions) {
  return patched(ONE_TASK_COMPLETION)
    ? proxyLocalActivities<Activities>(options)
    : proxyActivities<Activities>(options);
}
