// Before any command runs: settle where its manifests and its database are (flags, environment,
// argosctl.yaml, defaults), say which database on stderr, and refuse to write into a throw-away
// embedded database in CI. Commands then read plain `--dir` and `--database-url` values.
import path from 'node:path';
import type { Command } from 'commander';
import { chooseDatabase, type DatabaseChoice } from '../config/choose-database.js';
import { refuseLinksBelow } from '../db/embedded-folder.js';
import { defaultManifestRoot, findConfig, findGitRoot, type FoundConfig } from '../config/find-config.js';
import type { CliContext } from './context.js';
import { UserError } from '../errors.js';
import { escapeTerminal } from '../render/escape-terminal.js';

/**
 * Commands that only read the database. Any other command with --database-url counts as writing,
 * so a new command is refused in CI without a database until it is listed here.
 */
const READ_ONLY = new Set([
  'plan',
  'drift',
  'history',
  'blame',
  'admins logins',
  'tokens list',
  'tokens count',
  'github comment',
  'export',
  'check',
  'keys list',
  'transmit seal',
  'url build',
  'url open',
  'webhooks status',
]);

export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function writes(command: Command): boolean {
  const name = commandPath(command);
  if (name === 'prune' && command.opts().dryRun) return false;
  return !READ_ONLY.has(name);
}

function hasOption(command: Command, attribute: string): boolean {
  return command.options.some((o) => o.attributeName() === attribute);
}

/** A path for the commands to use: relative to the working folder when that is the process's own. */
function usablePath(ctx: CliContext, abs: string): string {
  return ctx.cwd === process.cwd() ? path.relative(ctx.cwd, abs) || '.' : abs;
}

function describeDatabase(choice: DatabaseChoice): string {
  // The path is the folder's (a checkout's name can hold terminal escapes): inert on the terminal.
  return `database: ${escapeTerminal(choice.url.display)} (${escapeTerminal(choice.from)})\n`;
}

function ciWithoutDatabase(ctx: CliContext, command: Command, choice: DatabaseChoice): void {
  if (choice.source !== 'default' || !ctx.env.CI) return;
  const missing = 'ARGOS_DATABASE_URL, --database-url, or database: in argosctl.yaml';
  if (writes(command)) {
    throw new UserError(
      `CI is set and no database is configured (${missing}): refusing to run \`${commandPath(command)}\` ` +
        `against a new, empty embedded database (${choice.url.display})`,
      'set ARGOS_DATABASE_URL from a secret (is the secret available to this job?), pass --database-url, ' +
        'or name database: in argosctl.yaml',
    );
  }
  const bar = '!'.repeat(78);
  ctx.err(
    `${ctx.errStyle.red(bar)}\n${ctx.errStyle.red('WARNING')}: CI is set and no database is configured (${missing}).\n` +
      `\`${commandPath(command)}\` reads the embedded default (${choice.url.display}), which on a CI runner is new and EMPTY: ` +
      'its output does not show the real settings.\n' +
      `${ctx.errStyle.red(bar)}\n`,
  );
}

/** The preAction hook: fills in `dir` and `databaseUrl` for the command about to run. */
export function resolveStateOptions(ctx: CliContext, command: Command): void {
  const wantsDir = hasOption(command, 'dir');
  const wantsDatabase = hasOption(command, 'databaseUrl');
  if (!wantsDir && !wantsDatabase) return;
  const config: FoundConfig | undefined = findConfig(ctx.cwd);
  if (wantsDir) {
    const given = command.getOptionValueSource('dir') === 'cli';
    if (!given)
      command.setOptionValueWithSource('dir', usablePath(ctx, defaultManifestRoot(ctx.cwd, config)), 'config');
    else if (ctx.cwd !== process.cwd())
      command.setOptionValueWithSource('dir', path.resolve(ctx.cwd, command.opts().dir as string), 'cli');
  }
  if (wantsDatabase) {
    const flag =
      command.getOptionValueSource('databaseUrl') === 'cli' ? (command.opts().databaseUrl as string) : undefined;
    const choice = chooseDatabase({ flag, env: ctx.env, cwd: ctx.cwd, config });
    ciWithoutDatabase(ctx, command, choice);
    ctx.err(describeDatabase(choice));
    // Here, where the project is known (the command gets the absolute path): no link between the
    // checkout, the config's folder or the folder a relative path is anchored in, and the database.
    // Outside a checkout an absolute path is the user's own, wherever they run the command from.
    if (choice.url.kind === 'pglite') {
      const bases = [findGitRoot(ctx.cwd), config?.dir, choice.url.base];
      refuseLinksBelow(
        bases.filter((b): b is string => b !== undefined),
        choice.url.path,
      );
    }
    command.setOptionValueWithSource('databaseUrl', choice.url.url, choice.source === 'flag' ? 'cli' : 'config');
  }
}
