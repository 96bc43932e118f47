import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// bin/run-entry picks the compiled JavaScript only while the build is current, so that an edited
// source never runs as its old compiled self. Checked in a stand-in checkout, with file times set
// explicitly (no waiting), and with RUN_ENTRY_PRINT so the decision is printed, not executed.

const ROOT = path.resolve(__dirname, '../..');
const BUILT_AT = new Date('2030-01-01T12:00:00Z');
const before = new Date(BUILT_AT.getTime() - 60_000);
const after = new Date(BUILT_AT.getTime() + 60_000);

describe('bin/run-entry', () => {
  let dir: string;
  const file = (rel: string, at: Date, text = '') => {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
    utimesSync(p, at, at);
    utimesSync(path.dirname(p), at, at);
  };
  const run = (env: Record<string, string> = {}) =>
    execFileSync(path.join(dir, 'bin/run-entry'), ['client/cli/main', 'list', '--json'], {
      env: { ...process.env, CANCELLATIONS_USE_DIST: '', ...env, RUN_ENTRY_PRINT: '1' },
    })
      .toString()
      .trim();
  const compiled = () => `node ${dir}/dist/client/cli/main.js list --json`;
  const source = () => `${dir}/node_modules/.bin/tsx ${dir}/client/cli/main.ts list --json`;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'run-entry-'));
    mkdirSync(path.join(dir, 'bin'));
    copyFileSync(path.join(ROOT, 'bin/run-entry'), path.join(dir, 'bin/run-entry'));
    execFileSync('chmod', ['+x', path.join(dir, 'bin/run-entry')]);
    file('client/cli/main.ts', before);
    file('common/request.ts', before);
    file('tsconfig.json', before, '{}');
    file('tsconfig.build.json', before, '{}');
    file('dist/client/cli/main.js', BUILT_AT);
    file('dist/.build-stamp', BUILT_AT);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('runs the compiled entry while no source is newer than the build', () => {
    expect(run()).toBe(compiled());
  });

  test('runs the source through tsx once a source is edited after the build', () => {
    file('common/request.ts', after);
    expect(run()).toBe(source());
  });

  test('counts a file added or removed in a compiled folder, and a changed tsconfig, as changes', () => {
    // A file copied in with its old time (cp -p, an unpacked archive) or one deleted: only the
    // folder's time tells.
    file('common/copied.ts', before);
    utimesSync(path.join(dir, 'common'), after, after);
    expect(run()).toBe(source());
    utimesSync(path.join(dir, 'common'), before, before);
    expect(run()).toBe(compiled());
    file('tsconfig.build.json', after, '{}');
    expect(run()).toBe(source());
  });

  test('runs the source when the build never finished (no stamp) or never ran', () => {
    rmSync(path.join(dir, 'dist/.build-stamp'));
    expect(run()).toBe(source());
    rmSync(path.join(dir, 'dist'), { recursive: true });
    expect(run()).toBe(source());
  });

  test('runs the compiled entry where no sources ship (a container image)', () => {
    for (const folder of ['client', 'common']) rmSync(path.join(dir, folder), { recursive: true });
    expect(run()).toBe(compiled());
  });

  test('CANCELLATIONS_USE_DIST=1 and =0 override the decision', () => {
    file('common/request.ts', after);
    expect(run({ CANCELLATIONS_USE_DIST: '1' })).toBe(compiled());
    file('common/request.ts', before);
    utimesSync(path.join(dir, 'common'), before, before);
    expect(run({ CANCELLATIONS_USE_DIST: '0' })).toBe(source());
  });

  test('watches exactly the folders tsconfig.build.json compiles', () => {
    const script = readFileSync(path.join(ROOT, 'bin/run-entry'), 'utf8');
    const watched = /^COMPILED_FOLDERS="([^"]*)"/m.exec(script)?.[1]?.split(' ');
    const config = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
    };
    expect(watched?.sort()).toEqual([...config.include].sort());
  });
});
