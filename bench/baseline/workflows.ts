import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities';

const { noop } = proxyActivities<typeof activities>({ startToCloseTimeout: '10s' });

/** The benchmark's baseline: a trivial workflow with one no-op activity. */
export async function baselineWorkflow(): Promise<string> {
  return noop();
}
