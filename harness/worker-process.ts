import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { heapFlag, WORKER_HEAP_MB } from '../workers/heap';
import { killWithParent } from './children';
import { MILESTONE_PREFIX, type WorkerMilestone } from './worker-child';

export const CANCELLATION_WORKER_ENTRY = path.resolve(__dirname, 'worker-entry.ts');
const ROOT = path.resolve(__dirname, '..');

export interface WorkerProcessOptions {
  /** The TypeScript entry (run with tsx); defaults to the cancellation worker. */
  entry?: string;
  address: string;
  taskQueue: string;
  bundlePath: string;
  /** The simulators' provider variables and anything else the worker reads. */
  env: Record<string, string>;
  tuning?: Record<string, number>;
  /** Lines the worker writes to stderr (default: ignored except the last few, shown on failure). */
  onStderr?: (line: string) => void;
  /** Flags for node itself (e.g. `--cpu-prof`), placed before `--import tsx`. */
  nodeArgs?: string[];
  /** The heap ceiling in MiB: workers/heap.ts's, unless a measurement caches more than it holds. */
  heapMB?: number;
}

export interface WorkerProcess {
  pid: number;
  /** Epoch ms at which this process spawned the child. */
  spawnedAt: number;
  ready: Promise<WorkerMilestone>;
  exited: Promise<number | null>;
  /** Resident set size of the worker process, in bytes (VmRSS). */
  rss(): number;
  kill9(): Promise<void>;
  /** Graceful shutdown (SIGTERM: the worker drains), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Reads VmRSS of a process from /proc, in bytes (0 if it is gone). */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * A process's parent and CPU times from /proc/<pid>/stat, in ms (undefined if it is gone): its
 * own user + system time, and that of its children it has waited for.
 */
export function procStat(pid: number): { ppid: number; cpuMs: number; childrenCpuMs: number } | undefined {
  try {
    // Fields after the command name, which may hold spaces: state ppid ... utime(14) stime cutime cstime.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const ms = (ticks: number) => (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
    return { ppid: f[1]!, cpuMs: ms(f[11]! + f[12]!), childrenCpuMs: ms(f[13]! + f[14]!) };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used, in ms (0 if it is gone). */
export const cpuMsOf = (pid: number): number => procStat(pid)?.cpuMs ?? 0;

/** USER_HZ: 100 on every Linux this runs on (`getconf CLK_TCK`). */
const CLOCK_TICKS_PER_SECOND = 100;

/** Starts a worker as a child process (`node --import tsx <entry>`) and resolves `ready` at RUNNING. */
export function spawnWorker(o: WorkerProcessOptions): WorkerProcess {
  const spawnedAt = Date.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      heapFlag(o.heapMB ?? WORKER_HEAP_MB),
      ...(o.nodeArgs ?? []),
      '--import',
      'tsx',
      o.entry ?? CANCELLATION_WORKER_ENTRY,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...o.env,
        TEMPORAL_ADDRESS: o.address,
        TEMPORAL_NAMESPACE: 'default',
        CANCELLATIONS_TASK_QUEUE: o.taskQueue,
        WORKFLOW_BUNDLE_PATH: o.bundlePath,
        WORKER_TUNING: JSON.stringify(o.tuning ?? {}),
        NODE_ENV: process.env.NODE_ENV ?? 'production',
      },
    },
  );
  killWithParent(child);
  const tail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
    o.onStderr?.(line);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<WorkerMilestone>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith(MILESTONE_PREFIX)) return;
      const m = JSON.parse(line.slice(MILESTONE_PREFIX.length)) as WorkerMilestone;
      if (m.event === 'ready') resolve(m);
    });
    void exited.then((code) =>
      reject(new Error(`worker process exited (${code}) before it was ready:\n${tail.join('\n')}`)),
    );
  });
  ready.catch(() => undefined); // callers that never await `ready` must not see an unhandled rejection
  const signal = async (sig: NodeJS.Signals, graceMs: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    pid: child.pid ?? -1,
    spawnedAt,
    ready,
    exited,
    rss: () => rssOf(child.pid ?? -1),
    kill9: () => signal('SIGKILL', 5_000),
    stop: (graceMs = 20_000) => signal('SIGTERM', graceMs),
  };
}
