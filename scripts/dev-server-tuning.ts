// How the project runs the Temporal dev server: one list of flags for every place that starts one
// (the tests, `npm start`, the drills, the bench). `npm run bench:knobs` measures each knob; its
// findings are in bench/KNOBS.md, and the README says how to set the same on a real cluster.

/** SQLite in WAL mode: the dev server's file survives restarts and writes are not fsynced each time. */
export const SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

/**
 * Dynamic config for a dev server that serves one laptop's worth of load without waiting on its
 * own pollers. `start-dev` runs one history shard whose task queues are polled at most 20 times a
 * second by default: every hand-off (workflow task, activity task, timer, visibility record) waits
 * for the next poll, up to 50 ms each.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Record<string, string | number | boolean> = {
  'history.transferProcessorMaxPollRPS': 1000,
  'history.timerProcessorMaxPollRPS': 1000,
  'history.visibilityProcessorMaxPollRPS': 1000,
  // An activity scheduled by a workflow task goes back to the worker in the task's own response.
  'system.enableActivityEagerExecution': true,
  // Task-queue partitions stay at start-dev's 4: the bench's experiment measures one partition
  // against them, each on a fresh server (bench/REPORT.md), and has not shown one to be faster.
};

/** `--dynamic-config-value` flags for `temporal server start-dev`. */
export function dynamicConfigArgs(
  config: Record<string, string | number | boolean> = DEV_SERVER_DYNAMIC_CONFIG,
): string[] {
  return Object.entries(config).flatMap(([k, v]) => ['--dynamic-config-value', `${k}=${JSON.stringify(v)}`]);
}

/** Every flag the project adds to `temporal server start-dev`. */
export function devServerArgs(): string[] {
  return [...SQLITE_PRAGMAS.flatMap((p) => ['--sqlite-pragma', p]), ...dynamicConfigArgs()];
}
