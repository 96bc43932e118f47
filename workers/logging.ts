import { type LogEntry, type LogLevel } from '@temporalio/worker';
import { installWorkerRuntime } from './runtime';

/**
 * Installs the process-wide Temporal runtime with the redacting logger, and with metrics and
 * traces when the environment asks for them (workers/runtime.ts). Call before the first
 * connection: the runtime can be installed once per process. Returns false if it already was
 * (by the embedding process: tests, npm start), in which case its logger stays.
 */
export function installRedactingWorkerLogger(
  env: NodeJS.ProcessEnv = process.env,
  level: LogLevel = (env.CANCELLATIONS_LOG_LEVEL as LogLevel | undefined) ?? 'INFO',
  write?: (entry: LogEntry) => void,
): boolean {
  return installWorkerRuntime({ env, level, ...(write && { write }) }).installed;
}

/** One line per log entry: what happened, to which activity or workflow, and why. For the demo. */
export function oneLineLog(entry: LogEntry): void {
  const m = entry.meta ?? {};
  const where = [m.activityType ?? m.workflowType, m.attempt !== undefined && `attempt ${String(m.attempt)}`]
    .filter(Boolean)
    .join(' ');
  const error = (m.error as { message?: string } | undefined)?.message ?? (m.failure as string | undefined);
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString().slice(11, 19);
  console.error(
    `[${time}] ${entry.level} ${entry.message}${where ? ` (${where})` : ''}${error ? `: ${error}` : ''}`,
  );
}
