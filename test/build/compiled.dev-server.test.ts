import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { CancellationClient } from '../../client/cancellation-client';
import { type RebillySimulator } from '../../simulators/rebilly';
import { REBILLY_KEY, REBILLY_ORG, startRebilly } from '../support/rebilly-fixture';
import { createDevServerEnv } from '../support/temporal-env';

// What `npm run build` makes, run as `node`: the CLI, and a worker process that starts from the
// prebuilt workflow bundle, reports healthy and carries a cancellation to its end. Built here into
// a folder of its own (the same steps as the build script), so the test never depends on, nor
// disturbs, the checkout's dist/.

const ROOT = path.resolve(__dirname, '../..');
// Inside the checkout: the compiled code finds node_modules by walking up, as dist/ does.
const OUT = path.join(ROOT, '.temporal/test-build');

function build(): void {
  const script = (
    JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts.build;
  // The steps below are the build script's; fail loudly if it changes under them.
  expect(script).toBe(
    'rm -rf dist && mkdir dist && touch dist/.build-started && tsc -p tsconfig.build.json && node dist/scripts/build-workflow-bundle.js',
  );
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path.join(OUT, '.build-started'), '');
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', OUT], { cwd: ROOT });
  execFileSync(process.execPath, [path.join(OUT, 'scripts/build-workflow-bundle.js')], { cwd: ROOT });
}

describe('the compiled worker and CLI', () => {
  let env: TestWorkflowEnvironment;
  let sim: RebillySimulator;
  let simUrl: string;
  const children: ChildProcess[] = [];
  const settings = (taskQueue: string): NodeJS.ProcessEnv => ({
    ...process.env,
    TEMPORAL_ADDRESS: env.connection.options.address,
    TEMPORAL_NAMESPACE: 'default',
    CANCELLATIONS_TASK_QUEUE: taskQueue,
    REBILLY_BASE_URL: simUrl,
    REBILLY_ORGANIZATION_ID: REBILLY_ORG,
    REBILLY_API_KEY: REBILLY_KEY,
  });
  const node = (args: string[], taskQueue = 'compiled-cli') =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: ROOT, env: settings(taskQueue) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    build();
    env = await createDevServerEnv();
    ({ sim } = await startRebilly());
    simUrl = sim.url;
  }, 300_000);
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await sim?.stop();
    await env?.teardown();
    rmSync(OUT, { recursive: true, force: true });
  });

  test('the build leaves the prebuilt bundle and the stamp beside the compiled code', () => {
    expect(existsSync(path.join(OUT, 'workflow-bundle.js'))).toBe(true);
    expect(existsSync(path.join(OUT, '.build-stamp'))).toBe(true);
    expect(existsSync(path.join(OUT, '.build-started'))).toBe(false);
  });

  test("the compiled code looks for npm start's development keys in the checkout, not beside itself", () => {
    const file = execFileSync(process.execPath, [
      '-p',
      `require(${JSON.stringify(path.join(OUT, 'codec/dev-keys.js'))}).DEV_DATA_PROTECTION_FILE`,
    ])
      .toString()
      .trim();
    expect(file).toBe(path.join(ROOT, '.temporal/data-protection.json'));
  });

  test('the compiled CLI lists runs from the dev server', async () => {
    const r = await node([path.join(OUT, 'client/cli/main.js'), 'list', '--json']);
    expect(r).toMatchObject({ code: 0 });
    expect(JSON.parse(r.stdout)).toEqual(expect.any(Array));
  });

  test('the CLI loads the worker SDK only for the worker command', () => {
    const loaded = execFileSync(process.execPath, [
      '-e',
      `require(${JSON.stringify(path.join(OUT, 'client/cli/program.js'))});` +
        'console.log(JSON.stringify(Object.keys(require.cache)))',
    ]).toString();
    const modules = JSON.parse(loaded) as string[];
    expect(modules.some((m) => m.includes('/node_modules/@temporalio/client/'))).toBe(true);
    expect(modules.filter((m) => m.includes('/node_modules/@temporalio/worker/'))).toEqual([]);
  });

  test('the compiled worker starts from the prebuilt bundle, reports healthy, completes a cancellation and stops on SIGTERM', async () => {
    const taskQueue = 'compiled-worker';
    const worker = spawn(process.execPath, [path.join(OUT, 'workers/main.js')], {
      cwd: ROOT,
      env: {
        ...settings(taskQueue),
        CANCELLATIONS_HEALTH_ADDRESS: '127.0.0.1:0',
        CANCELLATIONS_LOG_LEVEL: 'INFO',
      },
    });
    children.push(worker);
    let output = '';
    worker.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    const healthUrl = await new Promise<string>((resolve, reject) => {
      createInterface({ input: worker.stdout }).on('line', (line) => {
        output += `${line}\n`;
        const m = /^health at (\S+)/.exec(line);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`worker exited (${code}):\n${output}`)));
    });

    const health = await fetch(healthUrl);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', worker: 'RUNNING', temporal: 'reachable' });

    sim.addOrder({ id: 'compiled-ord-1' });
    const client = new CancellationClient(env.client, taskQueue);
    const accepted = await client.request({
      requestId: 'compiled-req-1',
      provider: 'rebilly',
      target: { orderId: 'compiled-ord-1' },
      timing: { mode: 'immediate' },
    });
    expect(await client.result(accepted.workflowId)).toMatchObject({ status: 'completed', attempts: 1 });
    expect(sim.calls('PUT', 'cxl-compiled-req-1')).toHaveLength(1);

    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The SDK logs this when it runs webpack at start; the prebuilt bundle spares that.
    expect(output).not.toContain('Workflow bundle created');
  });
});
