// Patch ids (`patched()`): each marks a change to the commands a run gives Temporal, so that runs
// recorded before it (test/fixtures/histories/before-*, and any run in flight or queried after an
// upgrade) replay as they ran. A patch costs every new run a marker and an upsert of
// TemporalChangeVersion (the SDK's core adds it), so one id covers each release's changes. Once no
// run from before a patch can be replayed any more, drop its `patched()` and its old branch.

/**
 * The run completes in the workflow task that receives the provider's confirmation, where it took
 * two tasks and an activity round trip (bench/REPORT.md):
 * - the activities that only start another run (the verification run, a callback's delivery run)
 *   are local activities: a call to Temporal, made inside the workflow task that asks for it;
 * - the confirmation level and the stage `completed` are set in one search-attribute upsert.
 */
export const ONE_TASK_COMPLETION = 'one-task-completion';
