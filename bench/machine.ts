import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { z } from 'zod';
import { cliPath } from '../harness/dev-server';
import { round } from './numbers';

/** What the numbers were measured on: they mean little without it. */
export function machine() {
  let temporal = 'unknown';
  try {
    temporal = execFileSync(cliPath(), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    /* reported as unknown */
  }
  const sdk = z
    .object({ version: z.string() })
    .parse(JSON.parse(readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8'))).version;
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    temporalSdk: sdk,
    temporalCli: temporal,
    loadAverageAtStart: loadAverage(),
  };
}

export const loadAverage = () => os.loadavg().map((l) => round(l, 2));
