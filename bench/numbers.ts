/** Rounds to `d` decimals (the report keeps one by default: more would be noise). */
export const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** Bytes to whole mebibytes. */
export const MB = (bytes: number) => round(bytes / 1024 / 1024, 0);

/** A duration for the report: milliseconds up to 10 s, seconds beyond. */
export const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

/** A relative change as a signed whole percentage (`+14 %`, `-7 %`). */
export const signedPercent = (fraction: number) =>
  `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(0)} %`;
