import { Presets, SingleBar } from 'cli-progress';
import { type BulkCounts } from '../bulk';

export interface BulkProgress {
  update(counts: Readonly<BulkCounts>): void;
  stop(): void;
}

/**
 * A progress bar on `stream` (standard error), only for a person at a terminal: never with --json
 * and never when standard error is a file or a pipe, where it would be noise in a log. `total`:
 * the file's request lines; without it (standard input) the bar grows with the lines read.
 */
export function bulkProgress(options: {
  json: boolean;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  total?: number;
}): BulkProgress | undefined {
  const stream = options.stream ?? process.stderr;
  if (options.json || stream.isTTY !== true) return undefined;
  const bar = new SingleBar(
    {
      stream,
      format:
        'bulk [{bar}] {value}/{total} | started {started} · existing {existing} · refused {refused} · failed {failed}',
      hideCursor: true,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  const payload = (c: Pick<BulkCounts, 'started' | 'existing' | 'inProgress' | 'refused' | 'failed'>) => ({
    started: c.started,
    existing: c.existing + c.inProgress,
    refused: c.refused,
    failed: c.failed,
  });
  bar.start(
    options.total ?? 0,
    0,
    payload({ started: 0, existing: 0, inProgress: 0, refused: 0, failed: 0 }),
  );
  return {
    update(c) {
      if (options.total === undefined) bar.setTotal(c.requests);
      bar.update(c.done, payload(c));
    },
    stop() {
      bar.stop();
    },
  };
}
