// argosctl tokens …: the Liveform token store (register, import, list, count, delete, start, complete).
import { readUserFile } from '../../util/safe-read.js';
import { Command } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import type { DatabaseSchema } from '../../db/schema.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import { parseTokenImport } from '../../tokens/import-file.js';
import { TokenError } from '../../tokens/token-errors.js';
import {
  countTokens,
  deleteOldestTokens,
  deleteTokens,
  getToken,
  listTokens,
  registerTokenRequest,
  registerTokens,
} from '../../tokens/token-store.js';
import { completeToken, startToken } from '../../tokens/token-use.js';
import type { CliContext } from '../context.js';
import { UserError } from '../../errors.js';
import { PROJECT_ID_ALLOWED, isProjectId } from '../../model/project-id.js';
import { databaseOption, formatOption } from '../options.js';
import { progressBar } from '../progress.js';
import type { Kysely } from 'kysely';
import { jsonDocument } from '../../render/json-document.js';

type Opts = { databaseUrl?: string; format?: 'text' | 'json' };

/** The <project> argument: refused before any database work unless it fits the project id grammar. */
function projectIdArgument(value: string): string {
  if (!isProjectId(value))
    throw new UserError(`project id ${JSON.stringify(value).slice(0, 80)} is not valid`, PROJECT_ID_ALLOWED);
  return value;
}

/** 100,000 IDs of at most 64 bytes in CSV or NDJSON with other columns fit well below this. */
const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

export function tokensCommand(ctx: CliContext): Command {
  const tokens = new Command('tokens').description('Liveform token pre-registration: the token store');
  const withDb = <T>(opts: Opts, work: (db: Kysely<DatabaseSchema>) => Promise<T>) =>
    withDatabase(resolveDatabaseUrl(opts.databaseUrl), ({ db }) => work(db));
  const print = (opts: Opts, json: object, text: string) => ctx.out(opts.format === 'json' ? jsonDocument(json) : text);

  tokens
    .command('register')
    .description('register token IDs (re-registering an ID overwrites it)')
    .argument('<project>', 'project id', projectIdArgument)
    .argument('<ids...>')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (project: string, ids: string[], opts: Opts) => {
      const r = await withDb(opts, (db) => registerTokenRequest(db, project, ids));
      print(
        opts,
        r,
        `Registered ${r.added} new, ${r.overwritten} overwritten; ${project} now holds ${r.registered} token(s).\n`,
      );
    });

  tokens
    .command('import')
    .description('register every ID in a file (lines, CSV or NDJSON); all or nothing')
    .argument('<project>', 'project id', projectIdArgument)
    .argument('<file>')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (project: string, file: string, opts: Opts) => {
      const text = readUserFile(file, MAX_IMPORT_BYTES, 'token file').toString('utf8');
      const parsed = parseTokenImport(file, text);
      if (parsed.problems.length) {
        for (const p of parsed.problems.slice(0, 200)) ctx.err(`${t(file)}:${p.line}: ${t(p.message)}\n`);
        if (parsed.problems.length > 200) ctx.err(`… and ${parsed.problems.length - 200} more\n`);
        throw new TokenError(
          'invalid_token_id_format',
          `${parsed.problems.length} invalid line(s) in ${file}; nothing registered`,
          'a token ID is 8 to 64 bytes of a-z A-Z 0-9 - _ . starting and ending with a letter or digit',
        );
      }
      const bar = progressBar(process.stderr, new Set(parsed.ids).size, `importing into ${project}`);
      const started = performance.now();
      const r = await withDb(opts, (db) => registerTokens(db, project, parsed.ids, bar.update)).finally(() =>
        bar.end(),
      );
      const seconds = (performance.now() - started) / 1000;
      print(
        opts,
        { ...r, format: parsed.format, seconds },
        `Imported ${parsed.ids.length} ID(s) from ${file} (${parsed.format}) in ${seconds.toFixed(2)} s: ${r.added} new, ${r.overwritten} overwritten; ${project} holds ${r.registered}.\n`,
      );
    });

  tokens
    .command('list')
    .description('list tokens in registration order, with their expired flag (10,000 a page)')
    .argument('<project>', 'project id', projectIdArgument)
    .option('--after <cursor>', 'the "next" cursor of the previous page')
    .option('--limit <n>', 'page size (at most 10,000)', (v) => Number(v))
    .option('--id <tokenId>', 'show one token')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (project: string, opts: Opts & { after?: string; limit: number; id?: string }) => {
      if (opts.id) {
        const t = await withDb(opts, (db) => getToken(db, project, opts.id!));
        return print(
          opts,
          t,
          `${t.tokenId}  registered ${t.registeredAt}  ${t.expired ? 'expired' : 'valid'}${t.expiresAt ? `  expires ${t.expiresAt}` : ''}${t.completed ? '  completed' : ''}\n`,
        );
      }
      const page = await withDb(opts, (db) => listTokens(db, project, { after: opts.after, limit: opts.limit }));
      print(
        opts,
        page,
        page.tokens.map((t) => `${t.tokenId}\t${t.registeredAt}\t${t.expired ? 'expired' : 'valid'}\n`).join(''),
      );
      // A hint, not data: stdout stays the list alone, so it can be piped.
      if (page.next && opts.format !== 'json') ctx.err(`next page: --after ${page.next}\n`);
    });

  tokens
    .command('count')
    .description('how many tokens are registered, and how many of them expired')
    .argument('<project>', 'project id', projectIdArgument)
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (project: string, opts: Opts) => {
      const c = await withDb(opts, (db) => countTokens(db, project));
      print(opts, c, `${project}: ${c.registered} registered (${c.expired} expired) of 100,000\n`);
    });

  tokens
    .command('delete')
    .description('delete tokens by ID (at most 500), or the oldest N (at most 5,000); deletion is permanent')
    .argument('<project>', 'project id', projectIdArgument)
    .argument('[ids...]')
    .option('--oldest <n>', 'delete the N oldest registrations', (v) => Number(v))
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (project: string, ids: string[], opts: Opts & { oldest?: number }) => {
      if ((opts.oldest === undefined) === (ids.length === 0))
        throw new UserError('give token IDs or --oldest N (not both)');
      const n = await withDb(opts, (db) =>
        opts.oldest !== undefined ? deleteOldestTokens(db, project, opts.oldest) : deleteTokens(db, project, ids),
      );
      print(opts, { deleted: n }, `Deleted ${n} token(s) from ${project}.\n`);
    });

  tokens
    .command('start')
    .description('try a token as the Liveform does at "Start Authentication" (count-based expiry happens here)')
    .argument('<project>', 'project id', projectIdArgument)
    .argument('<tokenId>')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (project: string, tokenId: string, opts: Opts) => {
      const r = await withDb(opts, (db) => startToken(db, project, tokenId));
      print(
        opts,
        r,
        r.preRegistered
          ? `${tokenId}: accepted${r.expiresAt ? `; expires ${r.expiresAt}` : ''}\n`
          : `${tokenId}: accepted (${project} does not use pre-registration)\n`,
      );
    });

  tokens
    .command('complete')
    .description("mark a started token's authentication as completed (private mode then forbids reuse)")
    .argument('<project>', 'project id', projectIdArgument)
    .argument('<tokenId>')
    .addOption(databaseOption())
    .action(async (project: string, tokenId: string, opts: Opts) => {
      await withDb(opts, (db) => completeToken(db, project, tokenId));
      ctx.out(`${tokenId}: completed\n`);
    });
  return tokens;
}
