// The lazy command table (src/cli/program.ts): its help lines are the real commands' own, each
// loader gives its command, and a command loads only what it needs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, buildFullProgram, buildProgram } from '../../src/cli/program.js';
import { BIN, ROOT, tempDir } from '../helpers/cli.js';
import { SILENT_CONTEXT } from '../helpers/cli-in-process.js';

const ctx = SILENT_CONTEXT;

describe('the lazy command table', () => {
  it('lists exactly the commands of the full program, with their own help lines', async () => {
    const full = await buildFullProgram(ctx);
    const lazy = await buildProgram(ctx, ['--help']);
    expect(lazy.helpInformation()).toBe(full.helpInformation());
    expect(COMMANDS.map((c) => c.name)).toEqual(full.commands.map((c) => c.name()));
  });

  it.each(COMMANDS.map((c) => [c.name, c] as const))(
    'loads the real %s command when it is named',
    async (name, entry) => {
      const program = await buildProgram(ctx, [name, '--help']);
      const cmd = program.commands.find((c) => c.name() === name)!;
      expect(cmd.description()).toBe(entry.summary);
      // A stand-in has neither an action nor subcommands; the real command has one or the other
      // (commander keeps the action in a field its typings do not show).
      const action = (cmd as unknown as { _actionHandler: unknown })._actionHandler;
      expect(action !== null || cmd.commands.length > 0).toBe(true);
    },
  );
});

/** Package folders under node_modules that running the built CLI with these arguments imported. */
function packagesImported(args: string[]): string[] {
  const log = path.join(tempDir(), 'imports.log');
  const hooks = path.join(ROOT, 'test/fixtures/import-log/register.mjs');
  spawnSync(process.execPath, ['--import', hooks, BIN, ...args], {
    env: { ...process.env, IMPORT_LOG: log },
    encoding: 'utf8',
  });
  const urls = readFileSync(log, 'utf8').split('\n');
  return [
    ...new Set(urls.map((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1]).filter((p): p is string => !!p)),
  ].sort();
}

describe('commands load only the modules they need', () => {
  const heavy = ['@electric-sql/pglite', '@octokit/rest', 'kysely', 'pg'];

  // picocolors (one dependency-free file) builds the context's colour style for every command.
  it('--version and --help load commander and the colour helper only', () => {
    expect(packagesImported(['--version'])).toEqual(['commander', 'picocolors']);
    expect(packagesImported(['--help'])).toEqual(['commander', 'picocolors']);
  });

  it('validate loads no database driver, no kysely, no octokit', () => {
    const loaded = packagesImported(['validate', '--dir', path.join(ROOT, 'examples/startup')]);
    expect(loaded.filter((p) => heavy.includes(p))).toEqual([]);
    expect(loaded).toContain('js-yaml');
  });

  it('plan against PostgreSQL loads pg but not PGlite or octokit', () => {
    const loaded = packagesImported([
      'plan',
      '--dir',
      path.join(ROOT, 'examples/startup'),
      '--database-url',
      'postgres://nobody@127.0.0.1:1/none',
    ]);
    expect(loaded).toContain('pg');
    expect(loaded).not.toContain('@electric-sql/pglite');
    expect(loaded).not.toContain('@octokit/rest');
  });
});
