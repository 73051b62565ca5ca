// The command tree of argosctl: every command, its options and help.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { applyCommand } from './commands/apply.js';
import { dbCommand } from './commands/db.js';
import { emergencyCommands } from './commands/emergency.js';
import { driftCommand } from './commands/drift.js';
import { githubCommand } from './commands/github.js';
import { historyCommands } from './commands/history.js';
import { pruneCommand } from './commands/prune.js';
import { tokensCommand } from './commands/tokens.js';
import { workerCommand } from './commands/worker.js';
import { planCommand } from './commands/plan.js';
import { validateCommand } from './commands/validate.js';
import type { CliContext } from './context.js';
import { resolveStateOptions } from './state-options.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('argosctl')
    .description('ARGOS identity-verification projects as code: validate, plan and apply YAML manifests')
    .version(pkg.version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) })
    .exitOverride()
    .hook('preAction', (_program, command) => resolveStateOptions(ctx, command));
  const commands = [validateCommand(ctx), planCommand(ctx), applyCommand(ctx), ...emergencyCommands(ctx), tokensCommand(ctx), pruneCommand(ctx), workerCommand(ctx), driftCommand(ctx), ...historyCommands(ctx), githubCommand(ctx), dbCommand(ctx)];
  for (const cmd of commands) {
    cmd.exitOverride().configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) });
    for (const sub of cmd.commands) sub.exitOverride().configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) });
    program.addCommand(cmd);
  }
  return program;
}
