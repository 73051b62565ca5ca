// The command tree of argosctl: every command, its options and help.
import { Command } from 'commander';
import { applyCommand } from './commands/apply.js';
import { completionCommand } from './commands/completion.js';
import { dbCommand } from './commands/db.js';
import { exportCommand } from './commands/export.js';
import { fmtCommand } from './commands/fmt.js';
import { emergencyCommands } from './commands/emergency.js';
import { driftCommand } from './commands/drift.js';
import { githubCommand } from './commands/github.js';
import { historyCommands } from './commands/history.js';
import { initCommand } from './commands/init.js';
import { pruneCommand } from './commands/prune.js';
import { schemaCommand } from './commands/schema.js';
import { tokensCommand } from './commands/tokens.js';
import { workerCommand } from './commands/worker.js';
import { checkCommand } from './commands/check.js';
import { keysCommand } from './commands/keys.js';
import { serveCommand } from './commands/serve.js';
import { planCommand } from './commands/plan.js';
import { validateCommand } from './commands/validate.js';
import type { CliContext } from './context.js';
import { ExitCode } from '../errors.js';
import { versionOutput } from './version.js';
import { resolveStateOptions } from './state-options.js';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('argosctl')
    .description('ARGOS identity-verification projects as code: validate, plan and apply YAML manifests')
    .option('-V, --version', 'print the version (with --format json: version, node and schema versions)')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) })
    .exitOverride()
    .hook('preAction', (_program, command) => resolveStateOptions(ctx, command));
  // Handled here rather than by commander's .version() so `--version --format json` can print JSON.
  program.on('option:version', () => {
    // rawArgs (the arguments being parsed) is set by commander at runtime but missing from its typings.
    ctx.out(versionOutput((program as unknown as { rawArgs: string[] }).rawArgs));
    throw new ExitCode(0);
  });
  const commands = [validateCommand(ctx), planCommand(ctx), applyCommand(ctx), ...emergencyCommands(ctx), tokensCommand(ctx), pruneCommand(ctx), workerCommand(ctx), driftCommand(ctx), ...historyCommands(ctx), githubCommand(ctx), dbCommand(ctx)];
  commands.push(schemaCommand(ctx), completionCommand(ctx), initCommand(ctx));
  commands.push(serveCommand(ctx), checkCommand(ctx), keysCommand(ctx));
  commands.push(exportCommand(ctx), fmtCommand(ctx));
  for (const cmd of commands) {
    cmd.exitOverride().configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) });
    for (const sub of cmd.commands) sub.exitOverride().configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) });
    program.addCommand(cmd);
  }
  return program;
}
