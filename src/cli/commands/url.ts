// argosctl url build|open: Liveform URLs with encrypted parameters (docs/url-encryption.md).
import { jsonDocument } from '../../render/json-document.js';
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { resolveMasterKey } from '../../keys/master-key.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import { DEFAULT_LIVEFORM_BASE, liveformUrlParams, UrlError } from '../../url/liveform-url.js';
import { buildProjectUrl, openProjectEncrypted } from '../../url/url-keys.js';
import type { CliContext } from '../context.js';
import { UserError } from '../../errors.js';
import { databaseOption, formatOption } from '../options.js';

function parseParam(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError('expected key=value');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

function checkBase(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error();
    return value;
  } catch {
    throw new InvalidArgumentError('expected an http(s) URL');
  }
}

/** The query of the URL to open; a text that is not a URL is bad input, said in one line. */
function openableUrl(text: string): Record<string, string> {
  try {
    return liveformUrlParams(text);
  } catch (err) {
    if (!(err instanceof UrlError)) throw err;
    throw new UserError(
      'the argument is not a URL',
      'pass the whole Liveform URL in quotes, such as "https://form.argosidentity.com/?pid=…&encrypted=…"',
    );
  }
}

type BuildOpts = {
  param: Record<string, string>;
  key?: string;
  method?: 'GCM' | 'ECB';
  base: string;
  lang?: string;
  format: string;
  databaseUrl?: string;
};

export function urlCommand(ctx: CliContext): Command {
  const url = new Command('url').description('Liveform URLs with encrypted parameters: build one, open one');
  url
    .command('build')
    .description('print the Liveform URL (?pid=…&encrypted=…) for these parameters, encrypted with an active key')
    .argument('<project>', 'project id')
    .option(
      '--param <key=value>',
      'a Liveform parameter (repeatable), e.g. token=…, userid=…',
      parseParam,
      {} as Record<string, string>,
    )
    .option('--key <name>', 'the encryption key (default: the newest active key)')
    .addOption(new Option('--method <method>', "AES-256 mode (default: the project's)").choices(['GCM', 'ECB']))
    .option('--base <url>', 'the Liveform address', checkBase, DEFAULT_LIVEFORM_BASE)
    .option('--lang <code>', 'the plain lang parameter')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (project: string, opts: BuildOpts) => {
      const db = resolveDatabaseUrl(opts.databaseUrl);
      const r = await withDatabase(db, ({ db: kdb }) =>
        buildProjectUrl(
          kdb,
          project,
          {
            params: opts.param,
            keyName: opts.key,
            method: opts.method,
            base: opts.base,
            lang: opts.lang,
          },
          () => resolveMasterKey(db, ctx.env),
        ),
      );
      if (opts.format === 'json') return ctx.out(jsonDocument('url-build', { project, ...r }));
      ctx.err(`${r.method} with key ${t(r.key.name)} (rotation ${r.key.rotation}, key id ${r.key.keyId})\n`);
      ctx.out(`${r.url}\n`);
    });
  url
    .command('open')
    .description('decrypt a Liveform URL: its parameters and the key that opened them (needs the database for keys)')
    .argument('<url>', 'an encrypted Liveform URL')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (text: string, opts: { format: string; databaseUrl?: string }) => {
      const query = openableUrl(text);
      if (!query.pid) throw new UserError('the URL has no pid parameter');
      if (!query.encrypted) throw new UserError('the URL has no encrypted parameter');
      const db = resolveDatabaseUrl(opts.databaseUrl);
      const r = await withDatabase(db, ({ db: kdb }) =>
        openProjectEncrypted(kdb, query.pid, query.encrypted, new Date(), () => resolveMasterKey(db, ctx.env)),
      );
      if (!r.ok) throw new UserError(`cannot open the URL of project "${query.pid}" [${r.code}]: ${r.message}`);
      const plain = Object.fromEntries(Object.entries(query).filter(([k]) => k !== 'encrypted'));
      if (opts.format === 'json') {
        return ctx.out(
          jsonDocument('url-open', { project: query.pid, method: r.method, key: r.key, params: r.params, plain }),
        );
      }
      ctx.out(
        `project ${t(query.pid)}: opened with key ${t(r.key.name)} (rotation ${r.key.rotation}, key id ${r.key.keyId}, ${r.key.status}), ${r.method}\n`,
      );
      for (const [k, v] of Object.entries(r.params)) ctx.out(`  ${t(k)} = ${t(v)}\n`);
      for (const [k, v] of Object.entries(plain)) if (k !== 'pid') ctx.out(`  ${t(k)} = ${t(v)} (plain)\n`);
    });
  return url;
}
