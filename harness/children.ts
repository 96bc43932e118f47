import { type ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

/**
 * Remembers a child process (dev server, worker) so that it dies with this process, even when this
 * one exits without its cleanup (an uncaught error, Ctrl-C in the scripts' signal handlers).
 */
export function killWithParent(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

/** For the scripts (not tests): Ctrl-C or SIGTERM exits, and the exit hook above takes the children. */
export function exitOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the child processes`);
      process.exit(130);
    });
}
