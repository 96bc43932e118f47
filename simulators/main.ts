import { writeFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { FaultSchema } from './framework';
import { startSimulators } from './index';

// `npm run simulators`: the four provider simulators on fixed loopback ports, with the worker
// environment printed (and written to .temporal/simulators.env). `npm run simulators -- fault ...`
// scripts a fault into a running simulator through its control API.

const STATE_FILE = path.resolve(__dirname, '../.temporal/simulators.json');
const ENV_FILE = path.resolve(__dirname, '../.temporal/simulators.env');
const PROVIDERS = ['keliweb', 'payway', 'rebilly', 'billing-care'] as const;

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
};

const program = new Command('simulators').description(
  'Provider simulators for Keliweb, Payway, Rebilly and Billing Care',
);

program
  .command('start', { isDefault: true })
  .description('start all four simulators and keep serving until Ctrl-C')
  .option(
    '--port-base <n>',
    'first of four consecutive ports (keliweb, payway, rebilly, billing-care)',
    int,
    17801,
  )
  .action(async (opts: { portBase: number }) => {
    const b = opts.portBase;
    const set = await startSimulators({ keliweb: b, payway: b + 1, rebilly: b + 2, billingCare: b + 3 });
    mkdirSync(path.dirname(STATE_FILE), { recursive: true });
    const urls = Object.fromEntries(PROVIDERS.map((p) => [p, set.byProvider[p].url]));
    writeFileSync(STATE_FILE, JSON.stringify({ urls }, null, 2));
    writeFileSync(
      ENV_FILE,
      Object.entries(set.env)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') + '\n',
      { mode: 0o600 },
    );
    for (const p of PROVIDERS)
      console.log(`${p.padEnd(13)} ${set.byProvider[p].url}  (control: ${set.byProvider[p].url}/__sim/)`);
    console.log(`\nWorker settings (credentials are random per start) written to ${ENV_FILE}`);
    console.log('Seed state:   curl -X POST <url>/__sim/state -d @seed.json');
    console.log('Add a fault:  npm run simulators -- fault rebilly status --status 503 --times 3');
    const stop = () => void set.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('fault')
  .description('inject a fault into a running simulator (started with `npm run simulators`)')
  .argument('<provider>', PROVIDERS.join(' | '))
  .argument('<kind>', 'status | rate-limit | latency | hang | lost-response')
  .option('--status <code>', 'HTTP status for kind=status', int)
  .option('--ms <n>', 'delay for kind=latency', int)
  .option('--retry-after <s>', 'seconds for kind=rate-limit', int)
  .option('--method <m>', 'only requests with this method')
  .option('--path <substring>', 'only requests whose path contains this')
  .option('--times <n>', 'how many requests (0 = until cleared)', int, 1)
  .action(async (provider: string, kind: string, o: Record<string, string | number | undefined>) => {
    if (!existsSync(STATE_FILE))
      throw new Error('no running simulators found: start them with `npm run simulators`');
    const urls = (JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { urls: Record<string, string> }).urls;
    const url = urls[provider];
    if (!url) throw new InvalidArgumentError(`provider must be one of ${PROVIDERS.join(', ')}`);
    const fault = FaultSchema.parse({
      kind,
      ...(o.status !== undefined && { status: o.status }),
      ...(o.ms !== undefined && { ms: o.ms }),
      ...(o.retryAfter !== undefined && { retryAfterSeconds: o.retryAfter }),
    });
    const res = await fetch(`${url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        fault,
        times: o.times,
        ...(o.method && { method: o.method }),
        ...(o.path && { path: o.path }),
      }),
    });
    console.log(`${provider}: ${res.status} ${await res.text()}`);
  });

program.parseAsync().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
