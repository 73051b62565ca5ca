// The command tree of argosctl: every command, its options and help.
//
// Commands load lazily, so `--version`, `--help` and `validate` do not pay for pg, PGlite,
// octokit or kysely. COMMANDS lists each top-level command with the line `--help` shows for it
// (term and summary) and a loader that imports its module. Only the command named on the command
// line is loaded (for `help X`, X); every other one is a stand-in with the same name and help
// line. To add a command: add one entry here, with its loader. test/cli/program.test.ts checks
// that every entry's help line is the real command's and that each loader gives that command.
import { Command, Help } from 'commander';
import type { CliContext } from './context.js';
import { ExitCode } from '../errors.js';
import { versionOutput } from './version.js';
import { examplesText } from './help-examples.js';
import { plainCommanderError } from './commander-errors.js';

/** The headings of `argosctl --help`, in the order shown. */
export const GROUPS = ['Manifests', 'Pull requests and CI', 'Tokens and service', 'Keys', 'Audit', 'Setup'] as const;

export interface CommandEntry {
  name: string;
  group: (typeof GROUPS)[number];
  /** What `argosctl --help` lists: the usage term and the description, as the real command says them. */
  term: string;
  summary: string;
  load(ctx: CliContext): Promise<Command[]>;
}

const ENTRIES: CommandEntry[] = [
  {
    name: 'validate',
    group: 'Manifests',
    term: 'validate [options] [paths...]',
    summary:
      'check manifests (all, or the files and folders named) against the schema and the semantic rules; report all problems at once',
    load: async (ctx) => [(await import('./commands/validate.js')).validateCommand(ctx)],
  },
  {
    name: 'plan',
    group: 'Manifests',
    term: 'plan [options]',
    summary: 'read manifests and database, print the changes apply would make; writes nothing to the database',
    load: async (ctx) => [(await import('./commands/plan.js')).planCommand(ctx)],
  },
  {
    name: 'apply',
    group: 'Manifests',
    term: 'apply [options] [planfile]',
    summary: 'apply a saved plan, or plan and apply; all in one transaction under the apply lock',
    load: async (ctx) => [(await import('./commands/apply.js')).applyCommand(ctx)],
  },
  {
    name: 'emergency-stop',
    group: 'Tokens and service',
    term: 'emergency-stop [options] <project>',
    summary: "halt a project's eKYC submissions now (Liveform and API), outside git; audited",
    load: async (ctx) => (await import('./commands/emergency.js')).emergencyCommands(ctx),
  },
  {
    name: 'emergency-resume',
    group: 'Tokens and service',
    term: 'emergency-resume [options] <project>',
    summary: "resume a project's submissions now, outside git; audited",
    load: async (ctx) => (await import('./commands/emergency.js')).emergencyCommands(ctx),
  },
  {
    name: 'tokens',
    group: 'Tokens and service',
    term: 'tokens',
    summary: 'Liveform token pre-registration: the token store',
    load: async (ctx) => [(await import('./commands/tokens.js')).tokensCommand(ctx)],
  },
  {
    name: 'prune',
    group: 'Tokens and service',
    term: 'prune [options]',
    summary: 'one pruning pass over registered tokens: expired, then by volume (the worker runs this every 10 minutes)',
    load: async (ctx) => [(await import('./commands/prune.js')).pruneCommand(ctx)],
  },
  {
    name: 'worker',
    group: 'Tokens and service',
    term: 'worker [options]',
    summary:
      'long-running: one pruning pass per 10-minute tick (fixed cycle), claimed in the database;' +
      ' webhook delivery every few seconds',
    load: async (ctx) => [(await import('./commands/worker.js')).workerCommand(ctx)],
  },
  {
    name: 'drift',
    group: 'Pull requests and CI',
    term: 'drift [options]',
    summary: 'compare the database with the manifests; tell git-side from database-side changes; exit 2 on drift',
    load: async (ctx) => [(await import('./commands/drift.js')).driftCommand(ctx)],
  },
  {
    name: 'history',
    group: 'Audit',
    term: 'history [options] [project]',
    summary:
      'the audit trail in order: applies (commit, PR, uncommitted files), break-glass, key reveals, rewraps, webhook redrives, admin sign-ins, prune passes',
    load: async (ctx) => (await import('./commands/history.js')).historyCommands(ctx),
  },
  {
    name: 'blame',
    group: 'Audit',
    term: 'blame [options] <project>',
    summary:
      "for each current setting of a project, the apply (commit, PR, actor, time) that last set it, then the project's other recorded events",
    load: async (ctx) => (await import('./commands/history.js')).historyCommands(ctx),
  },
  {
    name: 'admins',
    group: 'Audit',
    term: 'admins',
    summary: 'project administrators',
    load: async (ctx) => (await import('./commands/history.js')).historyCommands(ctx),
  },
  {
    name: 'dashboard',
    group: 'Audit',
    term: 'dashboard [options]',
    summary:
      'serve the web dashboard for administrators and auditors (prints "dashboard on http://HOST:PORT" on stderr when ready)',
    load: async (ctx) => [(await import('./commands/dashboard.js')).dashboardCommand(ctx)],
  },
  {
    name: 'github',
    group: 'Pull requests and CI',
    term: 'github',
    summary: 'GitHub integration (uses GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_SHA, GITHUB_API_URL)',
    load: async (ctx) => [(await import('./commands/github.js')).githubCommand(ctx)],
  },
  {
    name: 'db',
    group: 'Setup',
    term: 'db',
    summary: 'database schema management',
    load: async (ctx) => [(await import('./commands/db.js')).dbCommand(ctx)],
  },
  {
    name: 'serve',
    group: 'Tokens and service',
    term: 'serve [options]',
    summary:
      'serve the Token API and Liveform admission over HTTP (prints "listening on http://HOST:PORT" on stderr when ready)',
    load: async (ctx) => [(await import('./commands/serve.js')).serveCommand(ctx)],
  },
  {
    name: 'check',
    group: 'Tokens and service',
    term: 'check [options] <project>',
    summary:
      'dry-run Liveform admission: would "Start Authentication" be admitted now? (writes nothing; exit 3 when refused)',
    load: async (ctx) => [(await import('./commands/check.js')).checkCommand(ctx)],
  },
  {
    name: 'keys',
    group: 'Keys',
    term: 'keys',
    summary: 'secret material issued at apply: list by fingerprint, reveal once, rewrap',
    load: async (ctx) => [(await import('./commands/keys.js')).keysCommand(ctx)],
  },
  {
    name: 'webhooks',
    group: 'Tokens and service',
    term: 'webhooks',
    summary: 'webhook delivery: status of the outbox (pending, delivered, dead) and re-drive of dead events',
    load: async (ctx) => [(await import('./commands/webhooks.js')).webhooksCommand(ctx)],
  },
  {
    name: 'transmit',
    group: 'Tokens and service',
    term: 'transmit',
    summary: "secure data transmission: seal data for a project's public key, open it with the private key",
    load: async (ctx) => [(await import('./commands/transmit.js')).transmitCommand(ctx)],
  },
  {
    name: 'url',
    group: 'Tokens and service',
    term: 'url',
    summary: 'Liveform URLs with encrypted parameters: build one, open one',
    load: async (ctx) => [(await import('./commands/url.js')).urlCommand(ctx)],
  },
  {
    name: 'export',
    group: 'Manifests',
    term: 'export [options]',
    summary: 'write one manifest per project from the database (no key material; public keys as files under keys/)',
    load: async (ctx) => [(await import('./commands/export.js')).exportCommand(ctx)],
  },
  {
    name: 'fmt',
    group: 'Manifests',
    term: 'fmt [options] [files...]',
    summary: 'rewrite manifests in canonical key order and quoting, keeping comments; --check only reports',
    load: async (ctx) => [(await import('./commands/fmt.js')).fmtCommand(ctx)],
  },
  {
    name: 'policy',
    group: 'Manifests',
    term: 'policy',
    summary: 'the organisation policy of argosctl.yaml (policy: requireRegion, rules)',
    load: async (ctx) => [(await import('./commands/policy.js')).policyCommand(ctx)],
  },
  {
    name: 'migrate',
    group: 'Manifests',
    term: 'migrate [options] [paths...]',
    summary: 'rewrite manifests to a newer apiVersion in place, keeping comments and order; --check only reports',
    load: async (ctx) => [(await import('./commands/migrate.js')).migrateCommand(ctx)],
  },
  {
    name: 'init',
    group: 'Setup',
    term: 'init [options]',
    summary:
      'scaffold a config repository here: argosctl.yaml, projects/, .gitignore, package.json, GitHub workflows; overwrites nothing',
    load: async (ctx) => [(await import('./commands/init.js')).initCommand(ctx)],
  },
  {
    name: 'schema',
    group: 'Manifests',
    term: 'schema [options] [schema]',
    summary: 'print the manifest schema (project) or the argosctl.yaml schema (config)',
    load: async (ctx) => [(await import('./commands/schema.js')).schemaCommand(ctx)],
  },
  {
    name: 'completion',
    group: 'Setup',
    term: 'completion [options] [shell]',
    summary: 'print a shell completion script (bash: source <(argosctl completion bash))',
    load: async (ctx) => [(await import('./commands/completion.js')).completionCommand(ctx)],
  },
];

/** Every command, grouped as `--help` shows them (stable within a group). */
export const COMMANDS: CommandEntry[] = GROUPS.flatMap((group) => ENTRIES.filter((e) => e.group === group));

/** The command the arguments name (`help X` names X), if any: the first word that is not an option. */
function wantedCommand(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

function newProgram(ctx: CliContext): Command {
  const program: Command = new Command('argosctl')
    .description('ARGOS identity-verification projects as code: validate, plan and apply YAML manifests')
    .option('-V, --version', 'print the version (with --format json: version, node and schema versions)')
    .showHelpAfterError('(run with --help for usage)')
    .commandsGroup('Setup:')
    .helpCommand('help [command]', 'show the help of a command')
    .addHelpText(
      'after',
      '\nExamples:\n  $ argosctl init                 # a new config repository here\n' +
        '  $ argosctl plan                 # what apply would change\n' +
        '  $ argosctl apply plan.json      # apply a reviewed plan\n' +
        '\nEvery command: argosctl COMMAND --help, or its man page (man argosctl-plan after a global install;\n' +
        'in a project: man ./node_modules/argosctl/man/argosctl-plan.1).\n',
    )
    .configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) })
    .exitOverride()
    .hook('preAction', async (_program, command) =>
      (await import('./state-options.js')).resolveStateOptions(ctx, command),
    );
  // Handled here rather than by commander's .version() so `--version --format json` can print JSON.
  program.on('option:version', () => {
    // rawArgs (the arguments being parsed) is set by commander at runtime but missing from its typings.
    ctx.out(versionOutput((program as unknown as { rawArgs: string[] }).rawArgs));
    throw new ExitCode(0);
  });
  return program;
}

const GROUP_OF = new Map(ENTRIES.map((e) => [e.name, e.group]));

/** Help in our words: no `(default: [])` for repeatable options, examples last. */
function configureCommand(cmd: Command, words: string[], ctx: CliContext): void {
  const output = {
    writeOut: (s: string) => ctx.out(s),
    writeErr: (s: string) => ctx.err(s),
    outputError: (s: string, write: (s: string) => void) => write(plainCommanderError(s)),
  };
  cmd.exitOverride().configureOutput(output);
  cmd.configureHelp({
    optionDescription: (option) => new Help().optionDescription(option).replace(' (default: [])', ''),
  });
  const examples = examplesText(words);
  if (examples) cmd.addHelpText('after', examples);
  for (const sub of cmd.commands) configureCommand(sub, [...words, sub.name()], ctx);
}

function attach(program: Command, cmd: Command, ctx: CliContext): void {
  configureCommand(cmd, [cmd.name()], ctx);
  cmd.helpGroup(`${GROUP_OF.get(cmd.name()) ?? 'Setup'}:`);
  program.addCommand(cmd);
}

/** The program for these arguments: the named command loaded, every other one a stand-in. */
export async function buildProgram(ctx: CliContext, argv: readonly string[] = []): Promise<Command> {
  const program = newProgram(ctx);
  const wanted = COMMANDS.find((c) => c.name === wantedCommand(argv));
  const loaded = wanted ? (await wanted.load(ctx)).find((c) => c.name() === wanted.name) : undefined;
  const terms = new Map(COMMANDS.map((c) => [c.name, c.term]));
  const standard = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? standard.subcommandTerm(cmd) });
  for (const entry of COMMANDS) {
    attach(program, entry === wanted && loaded ? loaded : new Command(entry.name).description(entry.summary), ctx);
  }
  return program;
}

/** Every command loaded (tests, and anything that needs the whole tree such as shell completion). */
export async function buildFullProgram(ctx: CliContext): Promise<Command> {
  const program = newProgram(ctx);
  const seen = new Set<string>();
  for (const entry of COMMANDS) {
    for (const cmd of await entry.load(ctx)) {
      if (!seen.has(cmd.name())) attach(program, cmd, ctx);
      seen.add(cmd.name());
    }
  }
  return program;
}
