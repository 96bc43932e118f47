import path from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { CancellationClient } from '../client/cancellation-client';
import { startDevServer } from '../harness/dev-server';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../scripts/dev-server-tuning';
import { summary } from '../harness/stats';
import * as baselineActivities from './baseline/activities';
import { openEnv, queue, startWorkerProcess, type Env, type Started } from './env';
import { baselineKind, cancellationKind } from './kinds';
import { closedLoop } from './loads';
import { type RunRecorder } from './recorder';
import { EXPERIMENT, type Experiment } from './report-types';

export type EagerStart = Record<string, ReturnType<typeof summary>>;

const SMALL_CACHE = 50;
const ONE_PARTITION = { 'matching.numTaskqueueReadPartitions': 1, 'matching.numTaskqueueWritePartitions': 1 };

export interface ExperimentOptions {
  /** Closed-loop starters, as in the saturation phase. */
  concurrency: number;
  seconds: number;
  /** The options the shipped worker reported, shown as the reference's setting. */
  defaults: Record<string, unknown>;
  /** Where the extra server keeps its SQLite file. */
  stateDir: string;
  eagerRuns: number;
}

/** The tuning experiments, one fresh worker process each, and eager workflow start. */
export async function runExperiments(e: Env, rec: RunRecorder, started: Started, o: ExperimentOptions) {
  const experiments: Experiment[] = [];
  const tryWorker = async (
    name: string,
    setting: string,
    tuning: Record<string, number>,
    c = o.concurrency,
    env = e,
  ) => {
    const tq = queue('exp');
    const w = await startWorkerProcess(env, started, 'cancellation', tq, tuning);
    const kind = cancellationKind(
      new CancellationClient(env.product.client, tq),
      env.sims,
      `exp${Date.now().toString(36)}`,
    );
    const r = await closedLoop(rec, kind, c, o.seconds, `exp: ${name}`, false);
    await w.stop();
    experiments.push({
      name,
      setting,
      perSecond: r.perSecond,
      p50Ms: r.latencyMs.p50,
      p99Ms: r.latencyMs.p99,
    });
  };
  await tryWorker(EXPERIMENT.reference, JSON.stringify(o.defaults), {});
  await tryWorker('concurrency 16', 'closed loop of 16 starters', {}, 16);
  await tryWorker('concurrency 128', 'closed loop of 128 starters', {}, 128);
  await tryWorker('more pollers', 'workflow and activity task pollers 20 (default 10)', {
    maxConcurrentWorkflowTaskPolls: 20,
    maxConcurrentActivityTaskPolls: 20,
  });
  await tryWorker('fewer workflow slots', 'maxConcurrentWorkflowTaskExecutions 10 (default 40)', {
    maxConcurrentWorkflowTaskExecutions: 10,
  });
  await tryWorker('two workflow threads', 'workflowThreadPoolSize 2 (default 1 with reuseV8Context)', {
    workflowThreadPoolSize: 2,
  });
  await tryWorker(EXPERIMENT.smallCache, `maxCachedWorkflows ${SMALL_CACHE}`, {
    maxCachedWorkflows: SMALL_CACHE,
  });
  // Another dev server, as shipped but for one setting, with a fresh worker process against it.
  const tryServer = async (name: string, setting: string, server: Parameters<typeof startDevServer>[0]) => {
    const other = started.server(await startDevServer(server));
    const e2 = await openEnv(other, e.sims, e.bundles, queue('server'), e.log);
    await tryWorker(name, setting, {}, o.concurrency, e2);
    await e2.connection.close();
    await other.stop();
  };
  // The main server has served every phase before this one by now; a server experiment runs on a
  // fresh SQLite file, and is judged against a fresh server as shipped, not against the main one.
  await tryServer(EXPERIMENT.freshServer, 'another dev server as shipped, on a fresh SQLite file', {
    dbFile: path.join(o.stateDir, 'fresh.sqlite'),
  });
  await tryServer(EXPERIMENT.plainServer, 'SQLite defaults (rollback journal, synchronous=full)', {
    dbFile: path.join(o.stateDir, 'plain.sqlite'),
    pragmas: [],
  });
  // start-dev leaves each task queue at the server's default of 4 partitions; one worker process
  // polls them all, and a task on a partition without a waiting poll is forwarded or backlogged.
  await tryServer(EXPERIMENT.onePartition, 'matching.numTaskqueueRead/WritePartitions 1 (default 4)', {
    dbFile: path.join(o.stateDir, 'one-partition.sqlite'),
    dynamicConfig: { ...DEV_SERVER_DYNAMIC_CONFIG, ...ONE_PARTITION },
  });
  const eager = await eagerStartExperiment(e, o.eagerRuns);
  e.log(
    `eager start (baseline, in-process worker): regular p50 ${eager.regular?.p50} ms, eager p50 ${eager.eager?.p50} ms`,
  );
  return { experiments, eager };
}

/** Eager workflow start needs the worker in the starter's process, on one NativeConnection. */
async function eagerStartExperiment(e: Env, runs: number): Promise<EagerStart> {
  const nc = await NativeConnection.connect({ address: e.server.address });
  const tq = queue('eager');
  const worker = await Worker.create({
    connection: nc,
    namespace: 'default',
    taskQueue: tq,
    activities: baselineActivities,
    workflowBundle: { codePath: e.bundles.baseline },
  });
  const running = worker.run();
  const client = new Client({ connection: nc, namespace: 'default' });
  const result: EagerStart = {};
  try {
    for (const eager of [false, true, false, true]) {
      const kind = baselineKind(client, tq, eager);
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = Date.now();
        await kind.once();
        ms.push(Date.now() - t0);
      }
      result[eager ? 'eager' : 'regular'] = summary(ms); // the second round of each counts (warm)
    }
  } finally {
    worker.shutdown();
    await running;
    await nc.close();
  }
  return result;
}
