import { ms, round } from './numbers';
import { type BenchReport } from './report-types';

// The goals of issue 12, each judged from this run's numbers: what was asked, what was measured,
// and whether it was met. A goal this run did not measure says so rather than passing.

interface Goal {
  goal: string;
  measured: string;
  met: boolean | undefined;
  /**
   * The same goal applied to the same-shape skeleton of this run, where it applies: the engine's
   * own figure for the product's shape, which the product can approach but not beat.
   */
  floor?: { measured: string; met: boolean };
}

/** A number this run measured: report.json turns NaN into null, so a re-render must not judge one. */
const measured = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

const WORKER_ENTRY = 'worker: node dist/workers/main.js';
const CLI_ENTRY = 'cli: node dist/client/cli/main.js list';

function goals(r: BenchReport): Goal[] {
  const t = r.throughput;
  const l = r.latency.cancellation.latencyMs;
  const base = r.latency.baseline.latencyMs;
  const s = r.scale;
  const entry = (name: string) => r.entryPoints?.find((e) => e.variant === name);
  const worker = entry(WORKER_ENTRY);
  const cli = entry(CLI_ENTRY);
  const drainRatio = s.drainPerSecond / t.cancellation.perSecond;
  const quietP99 = s.withdrawWhenQuietLatencyMs?.p99;
  const sk = r.latency.skeleton?.latencyMs;
  const skRatio = t.skeleton && round(t.skeleton.perSecond / t.baseline.perSecond, 2);
  return [
    {
      goal: 'throughput ≥ 0.6 × the one-activity baseline',
      measured: `${t.ratio}`,
      met: t.ratio >= 0.6,
      ...(skRatio !== undefined && { floor: { measured: `${skRatio}`, met: skRatio >= 0.6 } }),
    },
    {
      goal: 'throughput ≥ 0.85 × the same-shape skeleton',
      measured: t.ratioToSkeleton === undefined ? 'not measured' : `${t.ratioToSkeleton}`,
      met: t.ratioToSkeleton === undefined ? undefined : t.ratioToSkeleton >= 0.85,
    },
    {
      goal: 'latency p50 at half rate ≤ 60 ms and ≤ 1.5 × the baseline',
      measured: `${ms(l.p50)} (${round(l.p50 / base.p50, 1)} × the baseline's ${ms(base.p50)})`,
      met: l.p50 <= 60 && l.p50 <= 1.5 * base.p50,
      ...(sk && { floor: { measured: ms(sk.p50), met: sk.p50 <= 60 && sk.p50 <= 1.5 * base.p50 } }),
    },
    {
      goal: 'latency p99 at half rate ≤ 150 ms',
      measured: ms(l.p99),
      met: l.p99 <= 150,
      ...(sk && { floor: { measured: ms(sk.p99), met: sk.p99 <= 150 } }),
    },
    {
      goal: 'worker RSS ≤ 400 MB with 10,000 waiting',
      measured: `${s.rssMB.workerWaiting} MB with ${s.count.toLocaleString('en')} waiting`,
      met: s.count >= 10_000 ? (s.rssMB.workerWaiting ?? Infinity) <= 400 : undefined,
    },
    {
      goal: 'when they fall due together, the first submitted within 5 s',
      measured: measured(s.firstSubmitLateMs) ? ms(s.firstSubmitLateMs) : 'not measured',
      met: measured(s.firstSubmitLateMs) ? s.firstSubmitLateMs <= 5000 : undefined,
    },
    {
      goal: 'and drained at ≥ 0.9 × the saturation throughput',
      measured: `${s.drainPerSecond}/s against ${t.cancellation.perSecond}/s (${round(drainRatio, 2)} ×)`,
      met: drainRatio >= 0.9,
    },
    {
      goal: 'withdraw p99 ≤ 200 ms, right after the scheduling burst',
      measured: ms(s.withdrawLatencyMs.p99),
      met: s.withdrawLatencyMs.p99 <= 200,
    },
    {
      goal: 'withdraw p99 ≤ 200 ms, once the worker is quiet',
      measured: !measured(quietP99)
        ? 'not measured'
        : `${ms(quietP99)}${s.workerWasQuiet === false ? ' (the worker was not quiet yet)' : ''}`,
      met: measured(quietP99) && s.workerWasQuiet !== false ? quietP99 <= 200 : undefined,
    },
    {
      goal: 'compiled worker, spawn to first poll ≤ 1 s',
      measured: worker ? `${ms(worker.medianMs)} (CPU ${ms(worker.medianCpuMs)})` : 'not measured (no dist/)',
      met: worker ? worker.medianMs <= 1000 : undefined,
    },
    {
      goal: 'one CLI command (`list`, compiled) ≤ 0.5 s',
      measured: cli ? `${ms(cli.medianMs)} (CPU ${ms(cli.medianCpuMs)})` : 'not measured (no dist/)',
      met: cli ? cli.medianMs <= 500 : undefined,
    },
  ];
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const verdict = (met: boolean | undefined) =>
  met === undefined ? 'not measured' : met ? 'met' : '**not met**';

/** The "Goals" section: each goal against this run. */
export function goalsSection(r: BenchReport): string[] {
  const gs = goals(r);
  const judged = gs.filter((g) => g.met !== undefined);
  const beyondFloor = gs.filter((g) => g.floor && !g.floor.met);
  const floor = (g: Goal) => (g.floor ? `${g.floor.measured}${g.floor.met ? '' : ' (misses it too)'}` : '');
  return [
    '## Goals',
    '',
    `${judged.filter((g) => g.met).length} of the ${gs.length} goals of issue 12 met in this run (${gs.length - judged.length} not measured).`,
    '',
    row(['goal', 'this run', 'verdict', 'same-shape skeleton, this run']),
    row(['---', '---', '---', '---']),
    ...gs.map((g) => row([g.goal, g.measured, verdict(g.met), floor(g)])),
    '',
    beyondFloor.length
      ? `The skeleton gives Temporal the product's commands and does nothing else: it misses ${beyondFloor.length === 1 ? 'one goal' : `${beyondFloor.length} goals`} as well (${beyondFloor.map((g) => g.goal).join('; ')}), so on this machine those are out of reach for a workflow of the product's shape, whatever the product's own code costs.`
      : 'The skeleton meets every goal it can be held to: what the product misses of those is its own cost.',
  ];
}

/** The shipped entry points (compiled and through tsx), timed from spawn, as a user starts them. */
export function entryPointsSection(r: BenchReport): string[] {
  if (!r.entryPoints?.length) return [];
  return [
    `The shipped entry points, each started ${r.entryPoints[0]!.runsMs.length} times from spawn (a worker until it polls, a command until it exits); CPU is the process tree's:`,
    '',
    row(['entry point', 'median wall', 'median CPU', 'runs']),
    row(['---', '---', '---', '---']),
    ...r.entryPoints.map((e) =>
      row([e.variant, ms(e.medianMs), ms(e.medianCpuMs), e.runsMs.map(ms).join(', ')]),
    ),
  ];
}
