// argosctl tokens …: the Liveform token store (register, import, list, count, delete, start, complete).
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { readUserFile } from '../../util/safe-read.js';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import type { DatabaseSchema } from '../../db/schema.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import { FINAL_RESULTS, type FinalResult } from '../../tokens/admission.js';
import { ImportRefused, deleteRequest, importTokens } from '../../tokens/token-requests.js';
import { countTokens, getToken, listTokens, registerTokenRequest } from '../../tokens/token-store.js';
import { completeToken, startToken } from '../../tokens/token-use.js';
import { resolveMasterKey } from '../../keys/master-key.js';
import { parseTokenImport } from '../../tokens/import-file.js';
import type { CliContext } from '../context.js';
import { UserError } from '../../errors.js';
import { PROJECT_ID_ALLOWED, isProjectId } from '../../model/project-id.js';
import { databaseOption, formatOption } from '../options.js';
import { progressBar } from '../progress.js';
import type { Kysely } from 'kysely';
import { jsonDocument, type OutputKind } from '../../render/json-document.js';

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
  const print = (opts: Opts, kind: OutputKind, json: object, text: string) =>
    ctx.out(opts.format === 'json' ? jsonDocument(kind, json) : text);

  tokens
    .command('register')
    .description('register token IDs (re-registering an ID overwrites it)')
    .argument('<project>', 'project id', projectIdArgument)
    .argument('<ids...>', 'token IDs: 8 to 64 of a-z A-Z 0-9 - _ . (at most 500 a request)')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (project: string, ids: string[], opts: Opts) => {
      const r = await withDb(opts, (db) => registerTokenRequest(db, project, ids));
      print(
        opts,
        'tokens-register',
        r,
        `Registered ${r.added} new, ${r.overwritten} overwritten; ${project} now holds ${r.registered} token(s).\n`,
      );
    });

  tokens
    .command('import')
    .description('register every ID in a file (lines, CSV or NDJSON); all or nothing')
    .argument('<project>', 'project id', projectIdArgument)
    .argument('<file>', 'one ID a line, CSV (a token_id column) or NDJSON; - reads stdin')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (project: string, file: string, opts: Opts) => {
      // '-' is standard input; a file goes through the safe reader (regular files only, size first).
      const text =
        file === '-' ? readFileSync(0, 'utf8') : readUserFile(file, MAX_IMPORT_BYTES, 'token file').toString('utf8');
      // Parsed once here for the progress bar's total; importTokens parses again and decides.
      const total = new Set(parseTokenImport(file, text).ids).size;
      const bar = progressBar(process.stderr, total, `importing into ${project}`);
      const started = performance.now();
      const r = await withDb(opts, (db) => importTokens(db, project, file, text, bar.update))
        .catch((err: unknown) => {
          if (err instanceof ImportRefused) {
            for (const p of err.problems.slice(0, 200)) ctx.err(`${t(file)}:${p.line}: ${t(p.message)}\n`);
            if (err.problems.length > 200) ctx.err(`… and ${err.problems.length - 200} more\n`);
          }
          throw err;
        })
        .finally(() => bar.end());
      const seconds = (performance.now() - started) / 1000;
      print(
        opts,
        'tokens-import',
        { added: r.added, overwritten: r.overwritten, registered: r.registered, format: r.format, seconds },
        `Imported ${r.ids} ID(s) from ${file} (${r.format}) in ${seconds.toFixed(2)} s: ${r.added} new, ${r.overwritten} overwritten; ${project} holds ${r.registered}.\n`,
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
          'tokens-show',
          t,
          `${t.tokenId}  registered ${t.registeredAt}  ${t.expired ? 'expired' : 'valid'}${t.expiresAt ? `  expires ${t.expiresAt}` : ''}${t.completed ? '  completed' : ''}\n`,
        );
      }
      const page = await withDb(opts, (db) => listTokens(db, project, { after: opts.after, limit: opts.limit }));
      print(
        opts,
        'tokens-list',
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
      print(opts, 'tokens-count', c, `${project}: ${c.registered} registered (${c.expired} expired) of 100,000\n`);
    });

  tokens
    .command('delete')
    .description('delete tokens by ID (at most 500), or the oldest N (at most 5,000); deletion is permanent')
    .argument('<project>', 'project id', projectIdArgument)
    .argument('[ids...]', 'token IDs to delete (at most 500), or give --oldest N')
    .option('--oldest <n>', 'delete the N oldest registrations', (v) => Number(v))
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (project: string, ids: string[], opts: Opts & { oldest?: number }) => {
      const { deleted: n } = await withDb(opts, (db) => deleteRequest(db, project, { ids, oldest: opts.oldest }));
      print(opts, 'tokens-delete', { deleted: n }, `Deleted ${n} token(s) from ${project}.\n`);
    });

  tokens
    .command('start')
    .description(
      'try a token as the Liveform does at "Start Authentication" (count-based expiry happens here); prints the session id',
    )
    .argument('<project>', 'project id', projectIdArgument)
    .argument('<tokenId>', 'the token ID')
    .option(
      '--encrypted <data>',
      "the encrypted URL parameter (docs/url-encryption.md); opened with the project's keys",
    )
    .option('--ip <address>', 'the client address')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (project: string, tokenId: string, opts: Opts & { encrypted?: string; ip?: string }) => {
      const url = resolveDatabaseUrl(opts.databaseUrl);
      const r = await withDb(opts, (db) =>
        startToken(db, project, tokenId, new Date(), {
          encrypted: opts.encrypted,
          clientIp: opts.ip,
          masterKey: () => resolveMasterKey(url, ctx.env),
        }),
      );
      print(
        opts,
        'tokens-start',
        r,
        (r.preRegistered
          ? `${tokenId}: accepted${r.expiresAt ? `; expires ${r.expiresAt}` : ''}`
          : `${tokenId}: accepted (${project} does not use pre-registration)`) + `; session ${r.sessionId}\n`,
      );
    });

  tokens
    .command('complete')
    .description(
      "record the final result of a started authentication (its session, or the token's latest); private mode then forbids reuse",
    )
    .argument('<project>', 'project id', projectIdArgument)
    .argument('[tokenId]', 'the token whose latest started authentication completes (or give --session)')
    .option('--session <id>', 'the session id `tokens start` printed')
    .addOption(new Option('--result <result>', 'the final result').choices([...FINAL_RESULTS]).default('approved'))
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(
      async (project: string, tokenId: string | undefined, opts: Opts & { session?: string; result: FinalResult }) => {
        if ((tokenId === undefined) === (opts.session === undefined))
          throw new UserError('give the token ID or --session ID (not both)');
        const r = await withDb(opts, (db) =>
          completeToken(db, project, tokenId, new Date(), { sessionId: opts.session, result: opts.result }),
        );
        print(opts, 'tokens-complete', r, `${tokenId ?? r.sessionId}: completed (${r.result})\n`);
      },
    );
  return tokens;
}
