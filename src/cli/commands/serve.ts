// argosctl serve: the Token API and Liveform admission over HTTP. Stateless (everything lives in
// the database), so replicas can run side by side. SIGTERM: stop accepting, finish in-flight
// requests, close the pool.
import { listenOn, shownAddress } from '../listen.js';
import { watchStopSignals } from '../stop-signals.js';
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { refuseWrongConfiguredKey } from '../../keys/master-key-check.js';
import { resolveMasterKey } from '../../keys/master-key.js';
import { buildServer } from '../../server/app.js';
import { lineSink } from '../../server/log-sink.js';
import { checkIpv4Entry } from '../../util/ipv4.js';
import type { CliContext } from '../context.js';
import { databaseOption } from '../options.js';
import { limitsOf, serveLimitOptions, type LimitFlags } from '../serve-limit-options.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import {
  describeDelivery,
  describePass,
  describeTick,
  startWorker,
  workerOptions,
  type WorkerFlags,
} from './worker.js';

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65535)
    throw new InvalidArgumentError('expected a port from 0 to 65535 (0: any free port)');
  return n;
}

function parsePoolSize(value: string): number {
  const n = Number(value);
  if (!/^\d{1,3}$/.test(value) || n < 1)
    throw new InvalidArgumentError('expected a number of connections from 1 to 999');
  return n;
}

export function parseCidr(value: string, previous: string[]): string[] {
  const r = checkIpv4Entry(value);
  if (!r.ok) throw new InvalidArgumentError(`${r.message}; expected ${r.allowed}`);
  return [...previous, r.cidr];
}

type ServeFlags = {
  host: string;
  port: number;
  trustProxy: string[];
  poolSize: number;
  databaseUrl?: string;
  worker?: boolean;
  namedStatements: boolean;
  trafficFacts: boolean;
} & WorkerFlags &
  LimitFlags;

export function serveCommand(ctx: CliContext): Command {
  const command = new Command('serve')
    .description(
      'serve the Token API and Liveform admission over HTTP (prints "listening on http://HOST:PORT" on stderr when ready)',
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').argParser(parsePort).default(8080))
    .addOption(
      new Option(
        '--trust-proxy <cidr...>',
        'proxies whose X-Forwarded-For names the client (IPv4 addresses or CIDR ranges)',
      )
        .argParser(parseCidr)
        .default([] as string[]),
    )
    .addOption(new Option('--pool-size <n>', 'PostgreSQL connections per replica').argParser(parsePoolSize).default(16))
    .option(
      '--worker',
      'also run the worker in this process (prune ticks, time expiries, webhook delivery; counted in /metrics)',
    )
    .option(
      '--no-traffic-facts',
      'do not count what this process answers in traffic_facts (the hourly counts plan reads to say what a change would have refused)',
    )
    .option(
      '--no-named-statements',
      'send every statement unnamed, planned each time (for a transaction-mode pooler older than PgBouncer 1.21)',
    );
  for (const option of serveLimitOptions()) command.addOption(option);
  for (const option of workerOptions()) command.addOption(option);
  return command.addOption(databaseOption()).action(async (opts: ServeFlags) => {
    let stopping!: () => void;
    const stopped = new Promise<void>((resolve) => (stopping = resolve));
    const onSignal = () => stopping();
    const unwatch = watchStopSignals(onSignal);
    ctx.stop?.addEventListener('abort', onSignal, { once: true });
    const url = resolveDatabaseUrl(opts.databaseUrl);
    try {
      // Resolved on the first encrypted URL, then kept: a service without encrypted URLs needs no master key.
      let masterKey: Buffer | undefined;
      await withDatabase(
        url,
        async (database) => {
          await refuseWrongConfiguredKey(database.db, url, ctx.env, ctx.err);
          // Request log lines go out in batches, one write per turn of the event loop (log-sink.ts).
          const requestLog = lineSink((text) => ctx.err(text));
          const { app, metrics } = await buildServer(database, {
            trustProxy: opts.trustProxy,
            limits: limitsOf(opts),
            log: requestLog.write,
            masterKey: () => (masterKey ??= resolveMasterKey(url, ctx.env)),
            ...(opts.trafficFacts ? {} : { trafficFacts: false as const }),
            ...(ctx.clock ? { now: () => ctx.clock!.now() } : {}),
          });
          const port = await listenOn(app, opts.host, opts.port);
          ctx.err(`listening on ${shownAddress(opts.host, port)}\n`);
          // The same worker as `argosctl worker` (startWorker): prune ticks, retention, expiries, webhooks.
          const worker = opts.worker
            ? startWorker(ctx, database, url, opts, {
                onTick: (o) => {
                  if (o.status !== 'taken') ctx.err(`worker: ${describeTick(o)}`);
                },
                onTickError: (tick, error) =>
                  ctx.err(`worker: ${tick.toISOString()}: pass failed: ${t((error as Error).message)}\n`),
                onPass: (r) => ctx.err(describePass(r)),
                onPassError: (error) => ctx.err(`webhooks: pass failed: ${t((error as Error).message)}\n`),
                onDelivery: (d) => {
                  metrics.countDelivery(d);
                  ctx.err(describeDelivery(d));
                },
              })
            : undefined;
          const workerStopped = worker?.done.catch((error) =>
            ctx.err(`worker stopped: ${t((error as Error).message)}\n`),
          );
          await stopped;
          requestLog.flush();
          ctx.err('serve: stopping: no new connections; finishing requests in flight…\n');
          worker?.stop();
          await Promise.all([app.close(), workerStopped]);
          requestLog.flush();
          ctx.err('serve: stopped; closing the database\n');
        },
        { open: { poolSize: opts.poolSize, namedStatements: opts.namedStatements, longRunning: true } },
      );
    } finally {
      ctx.stop?.removeEventListener('abort', onSignal);
      unwatch();
    }
  });
}
