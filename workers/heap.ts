/**
 * The V8 heap ceiling of a worker process, in MiB, for each of its isolates (the main thread and
 * the workflow thread). Without one V8 lets the workflow thread's heap grow towards its default
 * limit of several GiB before it collects: a burst of 10,000 deferred cancellations left ~350 MB of
 * garbage in it (bench/REPORT.md measures the shipped worker). Live data stays near 100 MB with the
 * shipped cache; raise this with maxCachedWorkflows, or a worker dies out of memory.
 */
export const WORKER_HEAP_MB = 256;

/** The node flag that sets a heap ceiling of `mb` MiB. */
export const heapFlag = (mb: number) => `--max-old-space-size=${mb}`;

/** The node flag, as every place that starts a worker process passes it. */
export const WORKER_NODE_FLAG = heapFlag(WORKER_HEAP_MB);
