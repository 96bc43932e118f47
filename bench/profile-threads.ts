import { readdirSync, readFileSync } from 'node:fs';
import { busyMs, type ProfileSummary } from './profile-summary';

// Per-thread CPU of a process from /proc, to check CPU profiles against: a sampling profiler sees
// only JS threads, and charges a thread's wait for a core to whatever is on its stack.

export interface ThreadCpu {
  tid: number;
  /** The name the OS shows (comm): node names all its own threads after the process. */
  name: string;
  /** Time on a core, ms (schedstat). */
  cpuMs: number;
  /** Time runnable but waiting for a core, ms (schedstat): a sampling profiler charges it to the stack. */
  waitMs: number;
}

/** Each thread of a process from /proc/<pid>/task/<tid>/{comm,schedstat}. */
export function threadCpu(pid: number): ThreadCpu[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return []; // the process is gone
  }
  return tids.flatMap((tid) => {
    try {
      const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      return [{ tid: Number(tid), name, cpuMs: run! / 1e6, waitMs: wait! / 1e6 }];
    } catch {
      return []; // the thread ended between the listing and the read
    }
  });
}

/** What each thread used between two readings (threads that ended in between are left out). */
export function threadDelta(before: readonly ThreadCpu[], after: readonly ThreadCpu[]): ThreadCpu[] {
  const was = new Map(before.map((t) => [t.tid, t]));
  return after.map((t) => ({
    ...t,
    cpuMs: t.cpuMs - (was.get(t.tid)?.cpuMs ?? 0),
    waitMs: t.waitMs - (was.get(t.tid)?.waitMs ?? 0),
  }));
}

/**
 * CPU per ms of busy samples of the thread `tid`: below 1 when the thread waited for a core, as the
 * sampler charges that wait to whatever was on the stack.
 */
export function cpuPerSampledMs(threads: readonly ThreadCpu[], tid: number, sampled: ProfileSummary): number {
  const t = threads.find((x) => x.tid === tid);
  return t && busyMs(sampled) > 0 ? t.cpuMs / busyMs(sampled) : 1;
}
