import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import { redactingLogger, secretValuesFromEnv } from '../codec/redact';

/**
 * Installs the process-wide Temporal runtime with a logger that redacts the configured secrets
 * (provider credentials, encryption and hash keys, the codec token, TEMPORAL_API_KEY) and
 * credential headers from every worker, activity and workflow log line. Call before the first
 * connection: the runtime can be installed once per process. Returns false if it already was.
 */
export function installRedactingWorkerLogger(
  env: NodeJS.ProcessEnv = process.env,
  level: LogLevel = (env.CANCELLATIONS_LOG_LEVEL as LogLevel | undefined) ?? 'INFO',
  write?: (entry: LogEntry) => void,
): boolean {
  try {
    Runtime.install({ logger: redactingLogger(new DefaultLogger(level, write), secretValuesFromEnv(env)) });
    return true;
  } catch {
    return false; // already installed by the embedding process (tests, npm start): its logger stays
  }
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
