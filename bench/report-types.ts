import { type summary } from '../harness/stats';

// The shape of report.json: what one run measured. Kept apart from the code that measures, so the
// report can be re-rendered from an older report.json (bench/render.ts) without running anything.

export type Summary = ReturnType<typeof summary>;

export interface Finding {
  tried: string;
  numbers: string;
}

export interface Experiment {
  name: string;
  setting: string;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Experiment names the conclusions look up: every other experiment is judged against REFERENCE. */
export const EXPERIMENT = {
  reference: 'shipped worker defaults',
  smallCache: 'small workflow cache',
  /** A second dev server as shipped, fresh like the server experiments' own: their reference. */
  freshServer: 'fresh server as shipped',
  plainServer: 'server without WAL pragmas',
  onePartition: 'one task-queue partition',
} as const;

export interface Throughput {
  perSecond: number;
  latencyMs: Summary;
  errors: number;
  seconds: number;
  /** Worker CPU over the saturation window per completion (absent in older reports). */
  workerCpuMsPerCompletion?: number;
}

export interface Latency {
  offeredPerSecond: number;
  requests: number;
  errors: number;
  latencyMs: Summary;
}

export interface BenchReport {
  generatedAt: string;
  durationSeconds: number;
  machine: Record<string, unknown> & {
    cpus: number;
    memoryGiB: number;
    node: string;
    temporalCli: string;
    temporalSdk: string;
  };
  setup: Record<string, unknown> & { concurrency: number; workerOptions: Record<string, unknown> };
  throughput: {
    cancellation: Throughput;
    baseline: Throughput;
    /** The same-shape skeleton (absent in reports written before it existed). */
    skeleton?: Throughput;
    ratio: number;
    ratioToSkeleton?: number;
  };
  /** The skeleton's steps per provider, from the product's histories of the same run. */
  skeletonShapes?: Record<string, string[]>;
  latency: {
    cancellation: Latency;
    baseline: Latency;
    skeleton?: Latency;
  };
  scale: {
    count: number;
    fireAt: string;
    scheduledInSeconds: number;
    schedulingPerSecond: number;
    requestLatencyMs: Summary;
    allWaitingBeforeDue: boolean;
    rssMB: Record<string, number>;
    withdrawn: number;
    withdrawRefused: number;
    /** Withdraws in flight at once (absent in reports written before it was recorded). */
    withdrawConcurrency?: number;
    /** Withdraws right after the scheduling burst. */
    withdrawLatencyMs: Summary;
    /** Withdraws once the worker was quiet (absent in older reports). */
    withdrawWhenQuietLatencyMs?: Summary;
    workerQuietAfterSeconds?: number;
    /** False when the worker was still busy 30 s before the due time (the second half ran anyway). */
    workerWasQuiet?: boolean;
    fired: number;
    completed: number;
    notCompleted: number;
    drainSeconds: number;
    drainPerSecond: number;
    lateAtSubmitMs: Summary;
    /** How late the first of them was submitted (absent in older reports). */
    firstSubmitLateMs?: number;
  };
  startup: { runs: Array<Record<string, number>>; medianMs: Record<string, number> };
  /** The shipped entry points timed as a user starts them (absent in older reports). */
  entryPoints?: Array<{ variant: string; runsMs: number[]; medianMs: number; medianCpuMs: number }>;
  experiments: Experiment[];
  eagerStart?: Record<string, Summary>;
  findings: Finding[];
}

/** What a run measured, before the conclusions are drawn from it. */
export type Measured = Omit<BenchReport, 'findings'>;
