// argosctl dashboard: the web pages for administrators and auditors, in their own process and on
// their own port (the Token API faces customers, the dashboard faces staff), over the same
// database and core as every other command. SIGTERM: stop accepting, finish requests, close.
import { listenOn, shownAddress } from '../listen.js';
import path from 'node:path';
import { Command, Option } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { buildDashboard, isLoopbackHost } from '../../dashboard/app.js';
import { discoverOidc, oidcSecret } from '../../dashboard/oidc.js';
import { pruneSessions } from '../../dashboard/sessions.js';
import { UserError } from '../../errors.js';
import { readManifests } from '../../validate/read-manifests.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import type { CliContext } from '../context.js';
import { databaseOption, dirOption } from '../options.js';
import { watchStopSignals } from '../stop-signals.js';
import { parseCidr, parsePort } from './serve.js';

interface DashboardFlags {
  host: string;
  port: number;
  trustProxy: string[];
  authProxyHeader?: string;
  localLogin?: boolean;
  dir: string;
  databaseUrl?: string;
}

/** Refuses a start without a way to sign in, or with one that would be unsafe where it listens. */
function checkSignIn(opts: DashboardFlags, oidc: boolean): void {
  if (opts.authProxyHeader !== undefined && !/^[A-Za-z0-9-]{1,100}$/.test(opts.authProxyHeader))
    throw new UserError(
      `--auth-proxy-header ${opts.authProxyHeader} is not a header name`,
      'letters, digits and -, e.g. x-forwarded-email',
    );
  if (opts.authProxyHeader && opts.trustProxy.length === 0)
    throw new UserError(
      '--auth-proxy-header needs --trust-proxy: the header is believed only from those addresses',
      'e.g. --trust-proxy 10.0.0.5 (the address of oauth2-proxy or the identity-aware proxy)',
    );
  if (opts.localLogin && !isLoopbackHost(opts.host))
    throw new UserError(
      `--local-login listens only on a loopback address, not ${opts.host}`,
      '--host 127.0.0.1, or run behind an authenticating proxy with --auth-proxy-header and --trust-proxy',
    );
  if (!opts.authProxyHeader && !opts.localLogin && !oidc)
    throw new UserError(
      'the dashboard has no way to sign people in; refusing to start',
      'dashboard.oidc in argosctl.yaml (OpenID Connect), --auth-proxy-header x-forwarded-email --trust-proxy PROXY ' +
        '(behind oauth2-proxy or an identity-aware proxy), or --local-login on 127.0.0.1 to try it',
    );
}

export function dashboardCommand(ctx: CliContext): Command {
  return new Command('dashboard')
    .description(
      'serve the web dashboard for administrators and auditors (prints "dashboard on http://HOST:PORT" on stderr when ready)',
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').argParser(parsePort).default(8081))
    .addOption(
      new Option(
        '--trust-proxy <cidr...>',
        'proxies whose X-Forwarded-For and sign-in header are believed (IPv4 addresses or CIDR ranges)',
      )
        .argParser(parseCidr)
        .default([] as string[]),
    )
    .option(
      '--auth-proxy-header <name>',
      'the header an authenticating proxy names the signed-in email in (e.g. x-forwarded-email)',
    )
    .option('--local-login', 'for trying it: sign in as any admin, from this machine only (loopback host)')
    .addOption(dirOption())
    .addOption(databaseOption())
    .action(async (opts: DashboardFlags) => {
      // argosctl.yaml alone (dashboard.auditors and oidc, regions' managers); the manifests are not read.
      const config = await readManifests(opts.dir, { only: [] });
      const configProblem = config.diagnostics.find(
        (d) => d.severity === 'error' && config.configFile && path.resolve(ctx.cwd, d.file) === config.configFile,
      );
      if (configProblem)
        throw new UserError(
          `${configProblem.file}:${configProblem.line}:${configProblem.column}: ${configProblem.message}`,
          'fix argosctl.yaml (argosctl validate shows every problem)',
        );
      const oidcSettings = config.organization.dashboard?.oidc;
      checkSignIn(opts, oidcSettings !== undefined);
      const oidc = oidcSettings ? await discoverOidc(oidcSettings, oidcSecret(oidcSettings, ctx.env)) : undefined;
      let stop!: (reason: string) => void;
      const stopped = new Promise<string>((resolve) => (stop = resolve));
      const unwatch = watchStopSignals((reason) => stop(reason));
      try {
        await withDatabase(
          resolveDatabaseUrl(opts.databaseUrl),
          async (database) => {
            await pruneSessions(database.db);
            const app = await buildDashboard(database, {
              organization: config.organization,
              trustProxy: opts.trustProxy,
              authProxyHeader: opts.authProxyHeader,
              localLogin: Boolean(opts.localLogin),
              oidc,
              secureCookies: !isLoopbackHost(opts.host),
              log: (line) => ctx.err(`${t(line)}\n`),
            });
            const port = await listenOn(app, opts.host, opts.port);
            if (opts.localLogin)
              ctx.err('dashboard: LOCAL LOGIN: anyone on this machine may sign in as any admin (for trying it only)\n');
            ctx.err(`dashboard on ${shownAddress(opts.host, port)}\n`);
            const reason = await stopped;
            ctx.err(`dashboard: stopping (${reason}); finishing requests in flight…\n`);
            await app.close();
            ctx.err('dashboard: stopped\n');
          },
          { open: { longRunning: true } },
        );
      } finally {
        unwatch();
      }
    });
}
