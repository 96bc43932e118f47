import 'dotenv/config';
import { CommanderError } from 'commander';
import { activeTracing } from '../../workers/tracing';
import { useEmbeddedDevKeysIfDefault } from '../dev-defaults';
import { describeCliError } from './errors';
import { buildProgram } from './program';

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  useEmbeddedDevKeysIfDefault();
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      process.exitCode = err.exitCode;
      return;
    }
    const e = describeCliError(err);
    console.error(
      json
        ? JSON.stringify({ error: { type: e.type, message: e.message, ...(e.field && { field: e.field }) } })
        : `error: ${e.message}`,
    );
    process.exitCode = e.code;
  }
  // The Temporal connection keeps the event loop alive; a finished command exits, once the spans
  // of its calls are sent (process.exit skips the exporter's own flush on beforeExit).
  if (process.argv.includes('worker')) return;
  await activeTracing()
    ?.shutdown()
    .catch(() => undefined);
  process.exit();
}

void main();
