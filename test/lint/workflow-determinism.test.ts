import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

// The lint rules that keep workflow code deterministic, run (as `npm run lint` runs them) against
// probe files that each break one rule. `npm run lint` itself ignores the probes.
const ROOT = path.resolve(__dirname, '../..');
const PROBES = 'test/fixtures/lint-probes';

interface LintResult {
  filePath: string;
  messages: Array<{ ruleId: string | null; message: string }>;
}

let results: Map<string, string>;

beforeAll(async () => {
  const eslint = path.join(ROOT, 'node_modules/.bin/eslint');
  const run = await promisify(execFile)(eslint, ['--no-ignore', '--format', 'json', PROBES], {
    cwd: ROOT,
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '[]' }));
  const parsed = JSON.parse(run.stdout) as LintResult[];
  results = new Map(
    parsed.map((r) => [
      path.basename(r.filePath),
      r.messages.map((m) => `${m.ruleId}: ${m.message}`).join('\n'),
    ]),
  );
}, 60_000);

describe('workflow determinism lint', () => {
  test.each([
    ['node-builtin.ts', 'Node built-ins are not deterministic'],
    ['bare-builtin.ts', 'Node built-ins are not deterministic'],
    ['got.ts', 'HTTP belongs in activities'],
    ['activity-value-import.ts', 'only activity types'],
    ['activity-helper-import.ts', 'only activity types'],
    ['set-timeout.ts', 'Use sleep()'],
    ['math-random.ts', 'Math.random'],
    ['floating-promise.ts', 'no-floating-promises'],
  ])('%s is rejected', (file, expected) => {
    expect(results.get(file)).toContain(expected);
  });

  test('type-only imports of activities are accepted', () => {
    expect(results.get('type-only-import.ts')).toBe('');
  });
});
