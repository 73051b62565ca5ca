// The argosctl entry point: builds the command tree and holds the only catch, which maps
// expected problems to exit codes and reports anything else as an internal bug.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { applyCommand } from './commands/apply.js';
import { dbCommand } from './commands/db.js';
import { planCommand } from './commands/plan.js';
import { validateCommand } from './commands/validate.js';
import { processContext, type CliContext } from './context.js';
import { ExitCode, UserError } from './errors.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('argosctl')
    .description('ARGOS identity-verification projects as code: validate, plan and apply YAML manifests')
    .version(pkg.version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) })
    .exitOverride();
  for (const make of [validateCommand, planCommand, applyCommand, dbCommand]) {
    const cmd = make(ctx);
    cmd.exitOverride().configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) });
    for (const sub of cmd.commands) sub.exitOverride().configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) });
    program.addCommand(cmd);
  }
  return program;
}

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof ExitCode) return err.code;
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    if (err instanceof UserError) {
      ctx.err(`${ctx.errStyle.red('error')}: ${err.message}\n${err.hint ? `  hint: ${err.hint}\n` : ''}`);
      return err.exitCode;
    }
    ctx.err(`argosctl: internal error: ${(err as Error)?.stack ?? String(err)}\nThis is a bug in argosctl; please report it with the command you ran.\n`);
    return 1;
  }
}

const code = await run(process.argv.slice(2), processContext());
process.exitCode = code;
