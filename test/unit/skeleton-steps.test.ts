import { readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { stepsOf } from '../../bench/skeleton/steps';
import { HISTORY_FIXTURES } from '../support/histories';

// The bench's same-shape skeleton repeats the commands it reads from product histories: read the
// recorded immediate cancellation, as the product runs it today and as it ran before the patch.
const stepsFrom = (file: string) => {
  const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORY_FIXTURES, file), 'utf8')));
  const events = history.events ?? [];
  const mainQueue = events[0]?.workflowExecutionStartedEventAttributes?.taskQueue?.name ?? '';
  return stepsOf(events, mainQueue);
};

describe('the skeleton reads the shape of a product run from its history', () => {
  test('today: the verification run is started by a local activity in the completing task', () => {
    expect(stepsFrom('immediate.json')).toEqual([
      'upsert',
      'provider-activity',
      'upsert',
      'provider-activity',
      'upsert', // TemporalChangeVersion, which the patch adds
      'local-start-run',
      'upsert',
    ]);
  });

  test('before the patch: an activity on the main queue started it, and two upserts followed', () => {
    // Recorded when the provider activities still ran on the main queue too.
    expect(stepsFrom('before-one-task-completion/immediate.json')).toEqual([
      'upsert',
      'main-activity',
      'upsert',
      'main-activity',
      'start-run',
      'upsert',
      'upsert',
    ]);
  });
});
