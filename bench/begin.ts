import { mkdirSync, rmSync } from 'node:fs';
import { Command } from 'commander';
import { ensureDevDataProtectionEnv } from '../codec/dev-keys';
import { exitOnSignals } from '../harness/children';
import { installRedactingWorkerLogger } from '../workers/logging';
import { machine } from './machine';
import { RunRecorder } from './recorder';

/**
 * What every bench script does before it measures: children die with it, the report folder exists
 * (a run of half an hour must not fail at the end for want of one), payloads are encrypted as the
 * product ships them, the state of its last run is gone, and the machine is named in the log.
 */
export function beginBenchRun(o: { out: string; stateDir: string }) {
  exitOnSignals();
  const rec = new RunRecorder();
  mkdirSync(o.out, { recursive: true });
  rmSync(o.stateDir, { recursive: true, force: true });
  ensureDevDataProtectionEnv();
  installRedactingWorkerLogger(process.env, 'ERROR');
  const host = machine();
  rec.log(
    `machine: ${host.cpus} cores (${host.cpuModel}), ${host.memoryGiB} GiB, Node ${host.node}, ${host.temporalCli}`,
  );
  return { rec, log: rec.log, host };
}

/** A bench script's command line, with the `--out <dir>` that every one of them takes. */
export function benchCommand(name: string): Command {
  return new Command()
    .name(name)
    .option('--out <dir>', 'where the report goes (created if missing)', __dirname);
}
