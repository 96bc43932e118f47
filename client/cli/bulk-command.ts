import { type Command } from 'commander';
import {
  countRequestLines,
  DEFAULT_BULK_CONCURRENCY,
  requestLines,
  runBulk,
  type BulkLineResult,
  type BulkSummary,
} from '../bulk';
import { type CancellationClient } from '../cancellation-client';
import { uiLinks } from '../ui-links';
import { bulkProgress } from './bulk-progress';
import { printRecord, type Output } from './output';
import { positiveInteger } from './parsers';

/** Exit codes of `bulk` beside those of every command (README): the worst outcome of any line. */
export const BULK_EXIT = { failed: 1, refused: 2, interrupted: 130 } as const;

type Opts = Output & { concurrency?: number; dryRun?: boolean };

export function addBulkCommand(program: Command, connect: () => Promise<CancellationClient>): void {
  program
    .command('bulk')
    .description(
      'start one request per line of an NDJSON file; progress, summary, refused lines by number and field',
    )
    .argument('<file>', 'NDJSON file (one request per line, blank lines skipped), or - for standard input')
    .option(
      '--concurrency <n>',
      `starts in flight at most (default ${DEFAULT_BULK_CONCURRENCY})`,
      positiveInteger,
    )
    .option('--dry-run', 'only validate every line; start nothing (no Temporal connection)', false)
    .option('--json', 'machine-readable JSON output', false)
    .action(async (file: string, o: Opts) => {
      // Ctrl-C: stop reading, let the starts in flight finish, report; a second Ctrl-C quits at once.
      const stop = new AbortController();
      // A file fails to open here, before anything is started.
      const lines = await requestLines(file, stop.signal);
      const client = o.dryRun ? undefined : await connect();
      const links = client && uiLinks(client.client.options.namespace);
      const total =
        file !== '-' && !o.json && process.stderr.isTTY ? await countRequestLines(file) : undefined;
      const progress = bulkProgress({ json: o.json, ...(total !== undefined && { total }) });

      const interrupt = () => {
        stop.abort();
        process.once('SIGINT', () => process.exit(BULK_EXIT.interrupted));
      };
      process.once('SIGINT', interrupt);
      let summary: BulkSummary;
      try {
        summary = await runBulk(lines, {
          ...(client && { submit: (input: unknown) => client.request(input) }),
          concurrency: o.concurrency ?? DEFAULT_BULK_CONCURRENCY,
          signal: stop.signal,
          ...(progress && { onProgress: (c) => progress.update(c) }),
        });
      } finally {
        progress?.stop();
        process.removeListener('SIGINT', interrupt);
      }

      const results = summary.results.map((r) =>
        links && r.workflowId && r.runId ? { ...r, uiUrl: links.run(r.workflowId, r.runId) } : r,
      );
      const { done: _done, results: _all, ...counts } = summary;
      if (o.json) {
        console.log(JSON.stringify({ ...counts, results }, null, 2));
      } else {
        for (const r of results) {
          const note = describeLine(r);
          if (note) console.error(note);
        }
        printRecord(o, {
          requests: counts.requests,
          ...(o.dryRun
            ? { valid: counts.valid }
            : { started: counts.started, existing: counts.existing, 'in progress': counts.inProgress }),
          refused: counts.refused,
          ...(!o.dryRun && { 'failed to start': counts.failed }),
          ...(counts.interrupted && {
            interrupted: 'yes: lines after the last one read were not started; run the same file again',
          }),
        });
      }
      process.exitCode = summary.interrupted
        ? BULK_EXIT.interrupted
        : summary.failed > 0
          ? BULK_EXIT.failed
          : summary.refused > 0
            ? BULK_EXIT.refused
            : 0;
    });
}

/** A line worth telling the operator about, on standard error. */
function describeLine(r: BulkLineResult): string | undefined {
  const id = r.requestId ? ` (requestId ${r.requestId})` : '';
  if (r.outcome === 'refused' || r.outcome === 'failed') {
    const e = r.error;
    const what =
      e?.field && e.field !== '(request)' ? `${e.field}: ${e.message}` : `${e?.type}: ${e?.message}`;
    return `line ${r.line}: ${r.outcome === 'refused' ? 'refused' : 'failed to start'}${id}: ${what}`;
  }
  if (r.outcome === 'in-progress')
    return `line ${r.line}: not started${id}: request ${r.runningRequestId} is already running for this subscription (${r.workflowId})`;
  return undefined;
}
