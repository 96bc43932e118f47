import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { type FaultStormCounts } from './fault-storm';
import { type KillWorkerCounts } from './kill-worker';
import { type MalformedCounts } from './malformed';
import { type ServerRestartCounts } from './server-restart';
import { cliPath } from '../harness/dev-server';
import { type ExactlyOnceCounts } from '../harness/targets';

export interface DrillOutcome {
  name: string;
  passed: boolean;
  seconds: number;
  counts?: object;
  failure?: string;
}

export interface DrillsReport {
  generatedAt: string;
  durationSeconds: number;
  machine: ReturnType<typeof machine>;
  options: Record<string, unknown>;
  drills: DrillOutcome[];
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/** The machine the numbers were measured on (they mean little without it). */
export function machine() {
  let temporalCli = 'unknown';
  try {
    temporalCli = execFileSync(cliPath(), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    /* reported as unknown */
  }
  const sdk = JSON.parse(readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8')) as {
    version: string;
  };
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 1024 ** 3),
    node: process.version,
    temporalSdk: sdk.version,
    temporalCli,
    loadAverageAtStart: os.loadavg().map((l) => round(l, 2)),
  };
}

const s = (ms: number) => (Number.isFinite(ms) ? `${round(ms / 1000)} s` : String(ms));
const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
const table = (head: string[], rows: Array<Array<string | number>>) => [
  row(head),
  row(head.map(() => '---')),
  ...rows.map(row),
  '',
];
const kv = (o: Record<string, number>) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

function exactlyOnceRows(c: ExactlyOnceCounts): Array<[string, string | number]> {
  return [
    ['provider write calls', c.writeCalls],
    [
      'targets written once / more than once (max per target)',
      `${c.targetsWrittenOnce} / ${c.targetsWrittenMoreThanOnce} (${c.maxWritesPerTarget})`,
    ],
    ['writes absorbed or refused without a change (retries the provider recognised)', c.absorbedWrites],
    [
      'targets cancelled exactly once / twice or more / never',
      `**${c.cancelledExactlyOnce}** / ${c.cancelledTwiceOrMore} / ${c.neverCancelled}`,
    ],
    [
      'by provider: cancelled once / twice or more / never (write calls)',
      Object.entries(c.perProvider)
        .map(([p, t]) => `${p} ${t.once} / ${t.twiceOrMore} / ${t.never} (${t.writes})`)
        .join('; '),
    ],
    [
      'Rebilly targets whose PUTs all used one cancellation id',
      `${c.rebillyTargetsWithOneId} of ${c.rebillyTargets}`,
    ],
    ['follow-up changes by the providers’ automation', kv(c.changes.followUp)],
    ['unexpected changes (undo, renewal)', kv(c.changes.unexpected)],
  ];
}

function outcomeRows(c: {
  completed: number;
  outcomeUnknown: number;
  unexpectedOutcomes: number;
}): Array<[string, string | number]> {
  return [
    ['completed / not completed', `${c.completed} / **${c.unexpectedOutcomes}**`],
    ['of which CancellationOutcomeUnknown (a lost answer no read settled)', c.outcomeUnknown],
  ];
}

function killSection(c: KillWorkerCounts): string[] {
  return [
    `${c.requested} immediate cancellations; each first submit held at its simulator (applied, answer withheld), the worker killed with \`kill -9\` while they were held, a new worker started at once.`,
    '',
    ...table(
      ['measure', 'value'],
      [
        ['submits in flight at the providers at the kill', `**${c.inFlightAtKill}** of ${c.requested}`],
        ['completed before the kill', c.completedBeforeKill],
        ['new worker polling after the kill', s(c.newWorkerReadyMs)],
        [
          `next attempt at the provider within ${s(c.resumeGoalMs)} of the kill (the goal)`,
          `**${c.resumedWithinGoal}** of ${c.inFlightAtKill}`,
        ],
        [
          'kill → next attempt at the provider (p50 / p95 / max)',
          `**${s(c.resumeMs.p50)} / ${s(c.resumeMs.p95)} / ${s(c.resumeMs.max)}**`,
        ],
        [
          'kill → cancellation completed (p50 / p95 / max)',
          `${s(c.completeMs.p50)} / ${s(c.completeMs.p95)} / ${s(c.completeMs.max)}`,
        ],
        ...outcomeRows(c),
        ['confirmation levels', kv(c.levels)],
        ['submits that succeeded on a later attempt', c.targetsWithRetriedSubmit],
        ...exactlyOnceRows(c),
      ],
    ),
  ];
}

function restartSection(c: ServerRestartCounts): string[] {
  return [
    `${c.requested} cancellations scheduled for one common time; the dev server restarted (same SQLite file and port) ${c.restarts.map((r) => r.signal).join(', then ')} while they waited.`,
    '',
    ...table(
      [
        'restart',
        'down (stop → answering)',
        'still scheduled after',
        'all visible after',
        'a new cancellation completed after',
      ],
      c.restarts.map((r) => [
        r.signal,
        s(r.downMs),
        `${r.scheduledAfter} of ${c.requested}`,
        s(r.scheduledVisibleMs),
        `**${s(r.recoveredMs)}**`,
      ]),
    ),
    ...table(
      ['measure', 'value'],
      [
        ['scheduled before the restarts', c.scheduledBeforeRestart],
        ['completed / other outcomes', `${c.completed} / ${c.unexpectedOutcomes}`],
        ['fired before due / before the last restart', `${c.firedEarly} / ${c.firedBeforeRestart}`],
        [
          'submitted after the due time (p50 / p95 / max)',
          `${s(c.lateMs.p50)} / ${s(c.lateMs.p95)} / ${s(c.lateMs.max)}`,
        ],
        ['worker processes restarted', c.workerRestarts],
        ...exactlyOnceRows(c),
      ],
    ),
  ];
}

function stormSection(c: FaultStormCounts): string[] {
  return [
    `${c.requested} immediate cancellations; per-target faults on the submit calls and untargeted 503/429 on reads.`,
    '',
    ...table(
      ['measure', 'value'],
      [
        ['faults that fired (request log outcomes)', kv(c.faultsInjected)],
        ['armed faults that never fired', c.faultsNotFired],
        ['provider refusals (its own answers ≥ 400)', kv(c.providerRefusals)],
        ...outcomeRows(c),
        ['confirmation levels', kv(c.levels)],
        [
          'targets whose submit met a fault / submits retried',
          `${c.targetsWhoseSubmitMetFault} / **${c.targetsWithRetriedSubmit}**`,
        ],
        ['targets without faults written exactly once', `${c.cleanTargetsWrittenOnce} of ${c.cleanTargets}`],
        [
          'rate-limit hints met / honoured / ignored',
          `${c.rateLimitHints} / ${c.hintsHonoured} / **${c.hintsViolated}**`,
        ],
        [
          'shortest wait after a hint / smallest margin over it',
          `${s(c.minWaitAfterHintMs)} / ${s(c.minMarginOverHintMs)}`,
        ],
        ['most attempts of one submit', c.maxAttempts],
        ...exactlyOnceRows(c),
      ],
    ),
  ];
}

function malformedSection(c: MalformedCounts): string[] {
  return table(
    ['door', 'refused or failed naming the field', 'otherwise', 'accepted'],
    [
      [
        '`CancellationClient.request`',
        `**${c.clientRefusedNamingTheField}** of ${c.cases}`,
        c.clientRefusedOtherwise,
        c.clientAccepted,
      ],
      [
        'raw Temporal start (`InvalidRequest` failure)',
        `**${c.rawFailedNamingTheField}** of ${c.cases}`,
        c.rawFailedOtherwise,
        c.rawCompleted,
      ],
    ],
  ).concat([
    `Runs on the drill's task queue before / after: ${c.workflowsBefore} / ${c.workflowsAfter} (${c.failedRunsAfter} failed); provider writes: ${c.providerWrites}; control request counted: ${c.controlRequestSeen ? 'yes' : 'no'}.`,
    '',
  ]);
}

/** A drill's section of the report, rendering the counts that drill recorded. */
const section = <C>(title: string, render: (counts: C) => string[]) => ({
  title,
  // report.json keeps each drill's counts untyped under the drill's name; the name says which type.
  render: (counts: unknown) => render(counts as C),
});

const SECTIONS: Record<string, ReturnType<typeof section>> = {
  malformed: section('Malformed requests, both doors', malformedSection),
  'kill-worker': section('kill -9 of the worker with submits in flight', killSection),
  'server-restart': section('Dev-server restarts with cancellations scheduled', restartSection),
  'fault-storm': section('Fault storm', stormSection),
};

export function renderDrillsReport(r: DrillsReport): string {
  const m = r.machine;
  const failed = r.drills.filter((d) => !d.passed);
  const verdict = failed.length
    ? `**${failed.length} of ${r.drills.length} drills failed: ${failed.map((d) => d.name).join(', ')}**`
    : `all ${r.drills.length} drills passed`;
  return [
    '# Fault drills report',
    '',
    `Generated by \`npm run drills\` on ${r.generatedAt} (${round(r.durationSeconds / 60)} min): ${verdict}. Every number below was counted in that run; regenerate with \`npm run drills\`.`,
    '',
    ...table(
      ['cores', 'memory', 'CPU', 'Node', 'Temporal SDK', 'Temporal CLI / server', 'load average at start'],
      [
        [
          m.cpus,
          `${m.memoryGiB} GiB`,
          m.cpuModel,
          m.node,
          m.temporalSdk,
          m.temporalCli.replace(/\n/g, ' '),
          m.loadAverageAtStart.join(', '),
        ],
      ],
    ),
    `Options: \`${JSON.stringify(r.options)}\``,
    '',
    ...table(
      ['drill', 'verdict', 'time'],
      r.drills.map((d) => [
        SECTIONS[d.name]?.title ?? d.name,
        d.passed ? 'pass' : '**FAIL**',
        `${d.seconds} s`,
      ]),
    ),
    ...r.drills.flatMap((d) => [
      `## ${SECTIONS[d.name]?.title ?? d.name}`,
      '',
      ...(d.failure ? [`**Failed:** ${d.failure.replace(/\|/g, '\\|')}`, ''] : []),
      ...(d.counts && SECTIONS[d.name] ? SECTIONS[d.name]!.render(d.counts) : []),
    ]),
  ].join('\n');
}

/** Writes REPORT.md and report.json into `dir`; returns the paths written. */
export async function writeDrillsReport(dir: string, r: DrillsReport): Promise<string[]> {
  const md = path.join(dir, 'REPORT.md');
  const json = path.join(dir, 'report.json');
  const config = (await resolveConfig(md)) ?? {};
  writeFileSync(md, await format(renderDrillsReport(r), { ...config, parser: 'markdown' }));
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  return [md, json];
}
