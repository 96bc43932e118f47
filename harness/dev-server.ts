import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { ALL_SEARCH_ATTRIBUTES } from '../common/search-attributes';
import { devServerExecutable } from '../scripts/temporal-binaries';
import { killWithParent } from './children';
import { DEV_SERVER_DYNAMIC_CONFIG, dynamicConfigArgs, SQLITE_PRAGMAS } from '../scripts/dev-server-tuning';
import { freePort } from '../scripts/free-port';

export { SQLITE_PRAGMAS as SHIPPED_PRAGMAS } from '../scripts/dev-server-tuning';

export interface DevServerOptions {
  /** SQLite file that keeps the state across restarts. */
  dbFile: string;
  /** Frontend port; 0 picks a free one (kept across restarts). */
  port?: number;
  pragmas?: string[];
  /** Dynamic config values; the project's (scripts/dev-server-tuning.ts) unless given. */
  dynamicConfig?: Record<string, string | number | boolean>;
  extraArgs?: string[];
}

/** A `temporal server start-dev` process this process controls: its pid, a restart, a kill -9. */
export interface DevServer {
  readonly address: string;
  readonly port: number;
  readonly dbFile: string;
  /** The pid of the current server process (changes on restart). */
  pid(): number;
  /** Graceful stop (SIGTERM, then SIGKILL after 15 s). */
  stop(): Promise<void>;
  kill9(): Promise<void>;
  /** Starts the server again on the same port and database file. */
  start(): Promise<void>;
}

export function cliPath(): string {
  const { executable, description } = devServerExecutable();
  if (executable.type !== 'existing-path')
    throw new Error(`no local temporal CLI (${description}): run \`npm run provision\` first`);
  return executable.path;
}

/** Starts the dev server (headless, with the project's search attributes) and waits until it answers. */
export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  mkdirSync(path.dirname(o.dbFile), { recursive: true });
  const port = o.port || (await freePort());
  const uiPort = await freePort(); // start-dev wants one even when headless
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--headless',
    '--db-filename',
    o.dbFile,
    '--log-level',
    'error',
    ...ALL_SEARCH_ATTRIBUTES.flatMap((k) => [
      '--search-attribute',
      `${k.name}=${TypedSearchAttributes.toMetadataType(k.type)}`,
    ]),
    ...(o.pragmas ?? SQLITE_PRAGMAS).flatMap((p) => ['--sqlite-pragma', p]),
    ...dynamicConfigArgs(o.dynamicConfig ?? DEV_SERVER_DYNAMIC_CONFIG),
    ...(o.extraArgs ?? []),
  ];
  const binary = cliPath();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const address = `127.0.0.1:${port}`;

  const start = async () => {
    const proc = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    killWithParent(proc);
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`temporal dev server exited (${proc.exitCode}): ${stderr}`);
      try {
        const conn = await Connection.connect({ address, connectTimeout: 1000 });
        try {
          await conn.workflowService.describeNamespace({ namespace: 'default' });
          return;
        } finally {
          await conn.close();
        }
      } catch (err) {
        if (Date.now() > deadline) {
          proc.kill('SIGKILL');
          throw new Error(`temporal dev server did not come up on ${address}: ${String(err)}; ${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  const stopWith = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    address,
    port,
    dbFile: o.dbFile,
    pid: () => child?.pid ?? -1,
    stop: () => stopWith('SIGTERM'),
    kill9: () => stopWith('SIGKILL'),
    start,
  };
}
