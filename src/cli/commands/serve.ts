// argosctl serve: the Token API and Liveform admission over HTTP. Stateless (everything lives in
// the database), so replicas can run side by side. SIGTERM: stop accepting, finish in-flight
// requests, close the pool.
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { buildServer } from '../../server/app.js';
import { lineSink } from '../../server/log-sink.js';
import { checkIpv4Entry } from '../../util/ipv4.js';
import type { CliContext } from '../context.js';
import { databaseOption } from '../options.js';

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port from 0 to 65535 (0: any free port)');
  return n;
}

function parsePoolSize(value: string): number {
  const n = Number(value);
  if (!/^\d{1,3}$/.test(value) || n < 1) throw new InvalidArgumentError('expected a number of connections from 1 to 999');
  return n;
}

function parseCidr(value: string, previous: string[]): string[] {
  const r = checkIpv4Entry(value);
  if (!r.ok) throw new InvalidArgumentError(`${r.message}; expected ${r.allowed}`);
  return [...previous, r.cidr];
}

export function serveCommand(ctx: CliContext): Command {
  return new Command('serve')
    .description('serve the Token API and Liveform admission over HTTP (prints "listening on http://HOST:PORT" on stderr when ready)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').argParser(parsePort).default(8080))
    .addOption(new Option('--trust-proxy <cidr...>', 'proxies whose X-Forwarded-For names the client (IPv4 addresses or CIDR ranges)').argParser(parseCidr).default([] as string[]))
    .addOption(new Option('--pool-size <n>', 'PostgreSQL connections per replica').argParser(parsePoolSize).default(16))
    .option('--no-named-statements',
      'send every statement unnamed, planned each time (for a transaction-mode pooler older than PgBouncer 1.21)')
    .addOption(databaseOption())
    .action(async (opts: {
      host: string; port: number; trustProxy: string[]; poolSize: number;
      namedStatements: boolean; databaseUrl?: string;
    }) => {
      let stopping!: () => void;
      const stopped = new Promise<void>((resolve) => (stopping = resolve));
      const onSignal = () => stopping();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        await withDatabase(resolveDatabaseUrl(opts.databaseUrl), async (database) => {
          // Request log lines go out in batches, one write per turn of the event loop (log-sink.ts).
          const requestLog = lineSink((text) => ctx.err(text));
          const { app } = await buildServer(database, { trustProxy: opts.trustProxy, log: requestLog.write });
          await app.listen({ host: opts.host, port: opts.port });
          const address = app.server.address();
          const port = typeof address === 'object' && address ? address.port : opts.port;
          ctx.err(`listening on http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}\n`);
          await stopped;
          requestLog.flush();
          ctx.err('serve: stopping: no new connections; finishing requests in flight…\n');
          await app.close();
          requestLog.flush();
          ctx.err('serve: stopped; closing the database\n');
        }, { open: { poolSize: opts.poolSize, namedStatements: opts.namedStatements } });
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}
