import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { bundleWorkflows } from '../../workers/bundle';
import { HISTORY_FIXTURES } from '../support/histories';
import { WORKFLOW_BUNDLE_PATH } from '../support/paths';

// Recorded from the main paths by `npm run record-histories`; replaying them with today's workflow
// code fails the build when a change is not deterministic for runs already in flight. Histories
// recorded before a patch (workflows/patches.ts) stay in a folder named for it, so that both
// branches of each patch keep replaying.
const MAIN_PATHS = [
  'end-of-period-30-days',
  'immediate',
  'non-retryable-failure',
  'provider-deferred',
  'provider-down-six-hours',
  'rescheduled-then-expedited',
  'withdrawn-on-day-29',
];
const OLDER = ['before-one-task-completion'];

const fixturesIn = (dir: string, prefix: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({
      workflowId: `${prefix}${file.replace(/\.json$/, '')}`,
      history: historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8'))),
    }));
const fixtures = [
  ...fixturesIn(HISTORY_FIXTURES, ''),
  ...OLDER.flatMap((older) => fixturesIn(path.join(HISTORY_FIXTURES, older), `${older}/`)),
];

async function replayAll(options: Parameters<typeof Worker.runReplayHistories>[0]): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for await (const r of Worker.runReplayHistories(options, fixtures)) results.push(r);
  return results;
}

describe('replay of recorded histories', () => {
  test('fixtures cover the main paths, today and before each patch', () => {
    expect(fixtures.map((f) => f.workflowId).sort()).toEqual(
      ['', ...OLDER.map((older) => `${older}/`)]
        .flatMap((prefix) => MAIN_PATHS.map((p) => prefix + p))
        .sort(),
    );
  });

  test('today’s workflow code replays every recorded history', async () => {
    const results = await replayAll({ workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } });
    expect(results).toHaveLength(fixtures.length);
    for (const r of results)
      expect({ id: r.workflowId, error: r.error?.message }).toEqual({ id: r.workflowId, error: undefined });
  });

  test('a non-deterministic change is caught', async () => {
    const code = await bundleWorkflows(path.resolve(__dirname, '../fixtures/nondeterministic-workflows.ts'));
    const results = await replayAll({ workflowBundle: { code } });
    expect(results).toHaveLength(fixtures.length);
    for (const r of results) expect(r.error?.name).toBe('DeterminismViolationError');
  });
});
