import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type EphemeralServerExecutable } from '@temporalio/testing/lib/ephemeral-server';

const ROOT = path.resolve(__dirname, '..');

function onPath(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The dev server binary, in the order a user expects: TEMPORAL_CLI_PATH, `temporal` on PATH, the
 * one scripts/provision-temporal.sh built, else the SDK's own download (needs internet).
 */
export function devServerExecutable(): { executable: EphemeralServerExecutable; description: string } {
  return firstExisting(
    [process.env.TEMPORAL_CLI_PATH, onPath('temporal'), path.join(ROOT, '.temporal/bin/temporal')],
    'SDK download (no local temporal binary found)',
  );
}

/** The time-skipping test server: TEMPORAL_TEST_SERVER_PATH, the provisioned wrapper, else download. */
export function testServerExecutable(): { executable: EphemeralServerExecutable; description: string } {
  return firstExisting(
    [process.env.TEMPORAL_TEST_SERVER_PATH, path.join(ROOT, '.temporal/test-server/temporal-test-server')],
    'SDK download (no provisioned test server found)',
  );
}

/** The first candidate that exists, else the SDK's download (machines with internet access). */
function firstExisting(
  candidates: (string | undefined)[],
  fallback: string,
): { executable: EphemeralServerExecutable; description: string } {
  const found = candidates.find((p): p is string => Boolean(p && existsSync(p)));
  if (found) return { executable: { type: 'existing-path', path: found }, description: found };
  return { executable: { type: 'cached-download' }, description: fallback };
}
