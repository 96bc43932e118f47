import { spawn } from 'node:child_process';
import path from 'node:path';
import { type useTemporalWithRebilly } from '../support/rebilly-fixture';

const BIN = path.resolve(__dirname, '../../bin/cancellations');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `cancellations` against the fixture's dev server and task queue. Asynchronous on purpose:
 * the worker runs in the test's process and must keep polling meanwhile.
 */
export function cliRunner(t: ReturnType<typeof useTemporalWithRebilly>, baseEnv: NodeJS.ProcessEnv = {}) {
  const cli = (args: string[], input?: string, env: NodeJS.ProcessEnv = {}) =>
    new Promise<CliRun>((resolve, reject) => {
      const child = spawn(BIN, args, {
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: t.env.connection.options.address,
          TEMPORAL_NAMESPACE: 'default',
          CANCELLATIONS_TASK_QUEUE: t.w.taskQueue,
          ...baseEnv,
          ...env,
        },
        timeout: 90_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(input ?? '');
    });
  /** The JSON a command printed; `expectCode` other than 0 for commands that report failures. */
  const json = async <T = Record<string, unknown>>(args: string[], input?: string, expectCode = 0) => {
    const r = await cli([...args, '--json'], input);
    if (r.code !== expectCode)
      throw new Error(`cancellations ${args.join(' ')} exited ${r.code}, not ${expectCode}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };
  return { cli, json };
}
