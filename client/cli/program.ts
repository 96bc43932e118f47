import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { stages, verificationStatuses, type Stage } from '../../common/search-attributes';
import { providers, type Provider } from '../../common/request';
import { type VerificationStatus } from '../../common/result';
import { InvalidRequestError } from '../../common/validation';
import { CancellationClient } from '../cancellation-client';
import { connectClientConnection, temporalTargetFromEnv } from '../connection';
import { registerSearchAttributes } from '../search-attributes-setup';
import { uiLinks } from '../ui-links';
import { listCancellations, subscriptionWorkflowIds } from '../visibility';
import { type runWorkerFromEnv } from '../../workers/run';
import { addBulkCommand } from './bulk-command';
import { printRecord, printRows, type Output } from './output';
import { positiveInteger } from './parsers';
import { addTargetOptions, targetFromOptions } from './target-options';

type Opts = Output & Record<string, unknown>;
type WorkerRunModule = { runWorkerFromEnv: typeof runWorkerFromEnv };

function readRequest(source: string): unknown {
  let text: string;
  try {
    text = source === '-' ? readFileSync(0, 'utf8') : readFileSync(source, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${source === '-' ? 'standard input' : source}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InvalidRequestError('(request)', `${source}: not valid JSON (${(err as Error).message})`, []);
  }
}

async function connectFromEnv(): Promise<CancellationClient> {
  const target = temporalTargetFromEnv();
  try {
    return await CancellationClient.connect();
  } catch (err) {
    throw new Error(
      `cannot reach Temporal at ${target.connectionOptions.address ?? 'localhost:7233'}: ${(err as Error).message} ` +
        '(set TEMPORAL_ADDRESS, or start the embedded server with `npm start`)',
      { cause: err },
    );
  }
}

/** The `cancellations` command line (shared/CONTRACT.md). */
export function buildProgram(connect: () => Promise<CancellationClient> = connectFromEnv) {
  const program = new Command('cancellations')
    .description('Start, inspect and steer subscription cancellations on Temporal')
    .showHelpAfterError()
    .exitOverride();
  const withJson = (cmd: Command) => cmd.option('--json', 'machine-readable JSON output', false);

  withJson(program.command('setup'))
    .description('register the search attributes on the namespace (idempotent)')
    .action(async (o: Opts) => {
      const target = temporalTargetFromEnv();
      const connection = await connectClientConnection(target);
      try {
        const r = await registerSearchAttributes(connection, target.namespace);
        printRecord(o, {
          namespace: target.namespace,
          added: o.json ? r.added : r.added.join(', ') || '-',
          present: o.json ? r.present : r.present.join(', ') || '-',
        });
      } finally {
        await connection.close();
      }
    });

  withJson(program.command('worker'))
    .description('run a worker (same as npm run worker)')
    .action(async (o: Opts) => {
      // Loaded here, not at the top: the worker SDK would slow down the start of every other
      // command. require, not import(): the compiled CLI is CommonJS, where import() takes the
      // ES-module resolution (file extensions), which neither tsx's nor jest's loading shares.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runWorkerFromEnv } = require('../../workers/run') as WorkerRunModule;
      await runWorkerFromEnv((line) =>
        o.json ? console.log(JSON.stringify({ event: line })) : console.log(line),
      );
    });

  withJson(program.command('request'))
    .description('validate and start a cancellation; prints workflowId and status')
    .argument('<file>', 'request JSON file, or - for standard input')
    .action(async (file: string, o: Opts) => {
      const input = readRequest(file);
      const client = await connect();
      const accepted = await client.request(input);
      const links = uiLinks(client.client.options.namespace);
      printRecord(o, { ...accepted, uiUrl: links.run(accepted.workflowId, accepted.runId) });
    });

  withJson(program.command('status'))
    .description('stage, scheduledFor, attempts, last error')
    .argument('<workflowId>')
    .action(async (id: string, o: Opts) => {
      const client = await connect();
      const status = await client.status(id);
      // The status is the latest run's; its run id keeps the link stable once a new run starts.
      const uiUrl = uiLinks(client.client.options.namespace).run(id, status.runId);
      const s = { ...status, uiUrl };
      const { result, verification, ...shown } = s;
      // The table shows the outcome in brief; `result` (or --json) gives the whole result.
      printRecord(
        o,
        o.json
          ? { ...shown, ...(result && { result }), ...(verification && { verification }) }
          : {
              ...shown,
              lastError: s.lastError && `${s.lastError.type}: ${s.lastError.message}`,
              outcome: result && `${result.status}${result.error ? ` (${result.error.type})` : ''}`,
              confirmation:
                result?.confirmation &&
                `${result.confirmation.level}${result.effectiveAt ? `, effective ${result.effectiveAt}` : ''}`,
              verification:
                verification &&
                (verification.status === 'not-applied'
                  ? `NOT APPLIED: the provider still shows ${verification.providerState ?? 'it active'}`
                  : `${verification.status} (due ${verification.dueAt}${verification.checkedAt ? `, checked ${verification.checkedAt}` : ''})`),
            },
      );
    });

  withJson(program.command('withdraw'))
    .description('withdraw a cancellation that has not run yet')
    .argument('<workflowId>')
    .option('--reason <text>', 'why it was withdrawn (kept in the workflow log)')
    .action(async (id: string, o: Opts) => {
      const s = await (await connect()).withdraw(id, o.reason as string | undefined);
      printRecord(o, { workflowId: s.workflowId, stage: s.stage });
    });

  withJson(program.command('reschedule'))
    .description('move a scheduled cancellation')
    .argument('<workflowId>')
    .argument('<at>', 'ISO-8601 date-time, e.g. 2027-01-31T00:00:00Z')
    .action(async (id: string, at: string, o: Opts) => {
      const s = await (await connect()).reschedule(id, at);
      printRecord(o, { workflowId: s.workflowId, stage: s.stage, scheduledFor: s.scheduledFor });
    });

  withJson(program.command('expedite'))
    .description('run a scheduled cancellation now')
    .argument('<workflowId>')
    .action(async (id: string, o: Opts) => {
      const s = await (await connect()).expedite(id);
      printRecord(o, { workflowId: s.workflowId, stage: s.stage });
    });

  withJson(program.command('result'))
    .description('wait for and print the result (exit code 3 if the cancellation failed)')
    .argument('<workflowId>')
    .action(async (id: string, o: Opts) => {
      const r = await (await connect()).result(id);
      printRecord(o, { ...r });
      if (r.status === 'failed') process.exitCode = 3;
    });

  withJson(addTargetOptions(program.command('list')))
    .description(
      'visibility query over search attributes; with --provider and its target options, every run of that subscription',
    )
    .addOption(new Option('--stage <stage>', 'only runs in this stage').choices(stages))
    .addOption(new Option('--provider <provider>', 'only this provider').choices(providers))
    .addOption(
      new Option('--verification <state>', 'only cancellations whose verification is in this state').choices(
        verificationStatuses,
      ),
    )
    .option('--customer <customerId>', "only this customer's cancellations (matched by its keyed hash)")
    .option('--limit <n>', 'at most this many', positiveInteger)
    .action(async (o: Opts) => {
      const provider = o.provider as Provider | undefined;
      const target = targetFromOptions(provider, o);
      const client = await connect();
      const rows = await listCancellations(client.client, {
        ...(o.stage !== undefined && { stage: o.stage as Stage }),
        ...(provider !== undefined && { provider }),
        ...(o.verification !== undefined && { verification: o.verification as VerificationStatus }),
        ...(o.customer !== undefined && { hashedCustomerId: client.ids.customerId(o.customer as string) }),
        ...(target && {
          workflowIds: subscriptionWorkflowIds(target, (key) => client.ids.subscription(key)),
        }),
        ...(o.limit !== undefined && { limit: o.limit as number }),
      });
      const links = uiLinks(client.client.options.namespace);
      // A verification run is listed under its cancellation's id; the link opens the run itself.
      const linked = rows.map((r) => ({
        ...r,
        uiUrl: links.run(r.verificationWorkflowId ?? r.workflowId, r.runId),
      }));
      const columns: (keyof (typeof linked)[number])[] = o.verification
        ? ['workflowId', 'provider', 'verification', 'status', 'requestId', 'verificationWorkflowId', 'uiUrl']
        : target
          ? ['workflowId', 'kind', 'stage', 'verification', 'status', 'requestId', 'startTime', 'uiUrl']
          : [
              'workflowId',
              'provider',
              'stage',
              'confirmation',
              'scheduledFor',
              'status',
              'requestId',
              'uiUrl',
            ];
      printRows(o, linked, columns);
    });

  addBulkCommand(program, connect);

  return program;
}
