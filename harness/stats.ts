/** Nearest-rank percentile of a list of numbers (NaN for an empty list). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summary(values: readonly number[]) {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : NaN,
  };
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
) {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return out;
}

/** A progress line every `everyMs`: done/total and the rate, overall and over the last interval. */
export function progress(label: string, total: number, everyMs = 5000, log = console.log) {
  const started = Date.now();
  let done = 0;
  let lastDone = 0;
  let lastAt = started;
  const line = () => {
    const now = Date.now();
    const rate = done / Math.max(0.001, (now - started) / 1000);
    const recent = (done - lastDone) / Math.max(0.001, (now - lastAt) / 1000);
    log(
      `  [${label}] ${done}/${total} done, ${rate.toFixed(1)}/s overall, ${recent.toFixed(1)}/s last ${((now - lastAt) / 1000).toFixed(0)}s`,
    );
    lastDone = done;
    lastAt = now;
  };
  const timer = setInterval(line, everyMs);
  return {
    tick: (n = 1) => void (done += n),
    get done() {
      return done;
    },
    stop: () => {
      clearInterval(timer);
      line();
    },
  };
}
