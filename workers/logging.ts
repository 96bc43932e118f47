import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
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
): boolean {
  try {
    Runtime.install({ logger: redactingLogger(new DefaultLogger(level), secretValuesFromEnv(env)) });
    return true;
  } catch {
    return false; // already installed by the embedding process (tests, npm start): its logger stays
  }
}
