// Running one argosctl command against a context: holds the only catch, which maps expected
// problems to exit codes and reports anything else as an internal bug. No side effects on import,
// so tests can call run() in process.
import { TokenError, TokenRefused } from '../tokens/token-errors.js';
import { CommanderError } from 'commander';
import type { CliContext } from './context.js';
import { escapeTerminal } from '../render/escape-terminal.js';
import { ExitCode, UserError } from '../errors.js';
import { BUGS_URL } from '../version.js';
import { buildProgram } from './program.js';
import { plainCommanderError } from './commander-errors.js';
import { jsonDocument } from '../render/json-document.js';

/**
 * Errors from PostgreSQL or PGlite (they carry a SQLSTATE code) are expected failures, not bugs.
 * Only the message is shown: the server's detail can echo row values, secrets included.
 */
export function asDatabaseError(err: unknown): string | undefined {
  const e = err as { code?: unknown; message?: unknown; severity?: unknown; syscall?: unknown };
  // A SQLSTATE is five characters; so are errno names (EPERM, EBUSY, EROFS): a file-system error
  // carries its syscall, and no SQLSTATE class begins with E.
  if (
    e &&
    typeof e.code === 'string' &&
    /^[0-9A-Z]{5}$/.test(e.code) &&
    !/^E[A-Z]{4}$/.test(e.code) &&
    typeof e.syscall !== 'string' &&
    typeof e.message === 'string'
  )
    return `database error ${e.code}: ${e.message}`;
  if (e && typeof e.code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE)$/.test(e.code))
    return `database connection lost (${e.code})`;
  if (
    e instanceof Error &&
    /Connection terminated|not queryable|terminating connection|timeout exceeded when trying to connect/.test(e.message)
  )
    return `database connection lost: ${e.message}`;
  // The driver's own timer (`?query_timeout=` in the URL, 0 included) gives up on a query.
  if (e instanceof Error && e.message === 'Query read timeout')
    return 'database query timed out (query_timeout in the database URL)';
  return undefined;
}

/**
 * A file-system call that failed (a name too long, a file where a folder is needed, no permission,
 * a full disk) is an I/O failure of the input or the machine, not a bug: one line naming the call,
 * the path (cut short) and the reason.
 */
function asFileSystemError(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof e.code !== 'string' || typeof e.syscall !== 'string' || !/^E[A-Z]+$/.test(e.code))
    return undefined;
  const where = typeof e.path === 'string' ? ` ${e.path.length > 200 ? `${e.path.slice(0, 200)}…` : e.path}` : '';
  return `${e.syscall}${where} failed: ${FILE_SYSTEM_REASONS[e.code] ?? e.code} (${e.code})`;
}

const FILE_SYSTEM_REASONS: Record<string, string> = {
  ENAMETOOLONG: 'the name is too long',
  EEXIST: 'it already exists',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
  ELOOP: 'too many levels of links',
  ENOENT: 'no such file or folder',
};

/** Messages may quote user text; a few (apply refusals) are lists, so each line is escaped on its own. */
const escapeLines = (text: string) => text.split('\n').map(escapeTerminal).join('\n');

/** A bug's message (escaped: it may quote user text) and its stack frames. */
function describeBug(err: unknown): string {
  if (!(err instanceof Error)) return escapeTerminal(String(err));
  const head = `${err.name}: ${err.message}`;
  const frames = err.stack?.startsWith(head) ? err.stack.slice(head.length) : '';
  return `${escapeTerminal(head)}${frames}`;
}

/** A bug's first line, for the JSON document (its frames stay on stderr). */
const bugHead = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/** commander's message in the words stderr showed, without its `error: ` prefix. */
const commanderMessage = (err: CommanderError) => plainCommanderError(err.message).replace(/^error: /, '');

function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--'); // after `--` every word is an argument, `--format` too
  const options = end < 0 ? argv : argv.slice(0, end);
  return options.some((a, i) => a === '--format=json' || (a === '--format' && options[i + 1] === 'json'));
}

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  let wroteStdout = false;
  const tracked: CliContext = {
    ...ctx,
    out: (t) => {
      wroteStdout = true;
      ctx.out(t);
    },
  };
  /** An expected failure: one clear line on stderr (user text in it escaped), and with --format json one document on stdout. */
  const fail = (message: string, hint: string | undefined, code: number, errorCode?: string) => {
    ctx.err(`${ctx.errStyle.red('error')}: ${escapeLines(message)}\n${hint ? `  hint: ${escapeLines(hint)}\n` : ''}`);
    if (wantsJson(argv) && !wroteStdout)
      ctx.out(
        jsonDocument('error', {
          error: { message, ...(hint ? { hint } : {}), exitCode: code, ...(errorCode ? { code: errorCode } : {}) },
        }),
      );
    return code;
  };
  try {
    await (await buildProgram(tracked, argv)).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof ExitCode) return err.code;
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0;
      // commander already printed its line on stderr; --format json still gets its one document.
      if (wantsJson(argv) && !wroteStdout && err.code !== 'commander.help' && err.code !== 'commander.helpDisplayed')
        ctx.out(jsonDocument('error', { error: { message: commanderMessage(err), exitCode: 1 } }));
      return 1;
    }
    const database = asDatabaseError(err);
    if (database) {
      // A role whose grants predate a table an upgrade added (db roles grants the tables it finds).
      const grants =
        (err as { code?: string }).code === '42501'
          ? '; if this role lacks a right on a table an upgrade added, run the `argosctl db roles` SQL again as the owner'
          : '';
      return fail(database, `nothing was written (the transaction was rolled back)${grants}`, 1);
    }
    if (err instanceof TokenError || err instanceof TokenRefused)
      return fail(err.message, err.hint, err.exitCode, err.code);
    if (err instanceof UserError) return fail(err.message, err.hint, err.exitCode);
    const io = asFileSystemError(err);
    if (io) return fail(io, undefined, 1);
    if (wantsJson(argv) && !wroteStdout)
      ctx.out(jsonDocument('error', { error: { message: `internal error: ${bugHead(err)}`, exitCode: 1 } }));
    ctx.err(
      `argosctl: internal error: ${describeBug(err)}\nThis is a bug in argosctl; please report it with the command you ran${BUGS_URL ? ` at ${BUGS_URL}` : ''}.\n`,
    );
    return 1;
  }
}
