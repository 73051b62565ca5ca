// Running one argosctl command against a context: holds the only catch, which maps expected
// problems to exit codes and reports anything else as an internal bug. No side effects on import,
// so tests can call run() in process.
import { CommanderError } from 'commander';
import type { CliContext } from './context.js';
import { escapeTerminal } from '../render/escape-terminal.js';
import { ExitCode, UserError } from '../errors.js';
import { BUGS_URL } from '../version.js';
import { buildProgram } from './program.js';
import { jsonDocument } from '../render/json-document.js';

/**
 * Errors from PostgreSQL or PGlite (they carry a SQLSTATE code) are expected failures, not bugs.
 * Only the message is shown: the server's detail can echo row values, secrets included.
 */
function asDatabaseError(err: unknown): string | undefined {
  const e = err as { code?: unknown; message?: unknown; severity?: unknown };
  if (e && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.message === 'string')
    return `database error ${e.code}: ${e.message}`;
  if (e && typeof e.code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE)$/.test(e.code))
    return `database connection lost (${e.code})`;
  if (
    e instanceof Error &&
    /Connection terminated|not queryable|terminating connection|timeout exceeded when trying to connect/.test(e.message)
  )
    return `database connection lost: ${e.message}`;
  return undefined;
}

/** Messages may quote user text; a few (apply refusals) are lists, so each line is escaped on its own. */
const escapeLines = (text: string) => text.split('\n').map(escapeTerminal).join('\n');

/** A bug's message (escaped: it may quote user text) and its stack frames. */
function describeBug(err: unknown): string {
  if (!(err instanceof Error)) return escapeTerminal(String(err));
  const head = `${err.name}: ${err.message}`;
  const frames = err.stack?.startsWith(head) ? err.stack.slice(head.length) : '';
  return `${escapeTerminal(head)}${frames}`;
}

function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--format=json' || (a === '--format' && argv[i + 1] === 'json'));
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
  const fail = (message: string, hint: string | undefined, code: number) => {
    ctx.err(`${ctx.errStyle.red('error')}: ${escapeLines(message)}\n${hint ? `  hint: ${escapeLines(hint)}\n` : ''}`);
    if (wantsJson(argv) && !wroteStdout)
      ctx.out(jsonDocument('error', { error: { message, ...(hint ? { hint } : {}), exitCode: code } }));
    return code;
  };
  try {
    await (await buildProgram(tracked, argv)).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof ExitCode) return err.code;
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    const database = asDatabaseError(err);
    if (database) return fail(database, 'nothing was written (the transaction was rolled back)', 1);
    if (err instanceof UserError) return fail(err.message, err.hint, err.exitCode);
    ctx.err(
      `argosctl: internal error: ${describeBug(err)}\nThis is a bug in argosctl; please report it with the command you ran${BUGS_URL ? ` at ${BUGS_URL}` : ''}.\n`,
    );
    return 1;
  }
}
