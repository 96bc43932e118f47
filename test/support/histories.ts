import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export const HISTORY_FIXTURES = path.resolve(__dirname, '../fixtures/histories');

/**
 * Returns a finished run's event count; with RECORD_HISTORIES=1 (npm run record-histories) also
 * saves its history as a replay fixture, so later workflow changes are replayed against it.
 */
export async function keepHistory(client: Client, workflowId: string, name: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  if (process.env.RECORD_HISTORIES === '1') {
    writeFileSync(path.join(HISTORY_FIXTURES, `${name}.json`), historyToJSON(history));
  }
  return history.events?.length ?? 0;
}
