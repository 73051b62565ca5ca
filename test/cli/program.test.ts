// The lazy command table (src/cli/program.ts): its help lines are the real commands' own, each
// loader gives its command, and a command loads only what it needs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

/** What each file of the bundled CLI holds (scripts/build-bundle.mjs writes it beside the bundle). */
function bundleContents(): Record<string, { packages: string[]; modules: string[] }> {
  const file = path.join(ROOT, 'dist/bundle/contents.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
}

/**
 * The files running the built CLI with these arguments imported (ESM resolution, as URLs). One real
 * run per distinct argument list: the same built binary with the same arguments loads the same files,
 * and several tests ask about `--version` and the PostgreSQL plan (each run costs a Node start with
 * the import log's hooks).
 */
const importedBy = new Map<string, string[]>();
function filesImported(args: string[]): string[] {
  const key = JSON.stringify(args);
  let files = importedBy.get(key);
  if (!files) {
    files = runLogged(args);
    importedBy.set(key, files);
  }
  return files;
}

function runLogged(args: string[]): string[] {
  const log = path.join(tempDir(), 'imports.log');
  const hooks = path.join(ROOT, 'test/fixtures/import-log/register.mjs');
  spawnSync(process.execPath, ['--import', hooks, BIN, ...args], {
    env: { ...process.env, IMPORT_LOG: log },
    encoding: 'utf8',
  });
  return [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))];
}

/**
 * Packages that running the built CLI with these arguments loaded: those imported from
 * node_modules, and those bundled into the files of dist/bundle/ it imported.
 */
function packagesImported(args: string[]): string[] {
  const contents = bundleContents();
  const packages = filesImported(args).flatMap((url) => {
    const bundled = /\/dist\/bundle\/([^/]+)$/.exec(url)?.[1];
    if (bundled) return contents[bundled]?.packages ?? [];
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    return m ? [m[1]] : [];
  });
  return [...new Set(packages)].sort();
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

  // The packages of serve, dashboard, github and export: none belongs to a plan's start.
  const serviceOnly = (p: string) =>
    /^(fastify|@fastify\/|@octokit\/|openid-client|light-my-request|uplot|csv-)/.test(p);

  it('plan on the embedded database loads PGlite, and on neither database Fastify, octokit or the dashboard', () => {
    const dir = path.join(ROOT, 'examples/startup');
    const embedded = packagesImported(['plan', '--dir', dir, '--database-url', `pglite:${path.join(tempDir(), 'db')}`]);
    expect(embedded).toContain('@electric-sql/pglite');
    expect(embedded).toContain('kysely');
    const postgres = packagesImported(['plan', '--dir', dir, '--database-url', 'postgres://nobody@127.0.0.1:1/none']);
    for (const loaded of [embedded, postgres, packagesImported(['--version'])])
      expect(loaded.filter(serviceOnly)).toEqual([]);
  });

  // Counted, not timed: a start that loads hundreds of files (535 for a one-project plan before
  // the bundle, kysely alone 263) spends most of its time loading them.
  it('runs the bundle: --version loads under 20 JavaScript files and plan under 100', () => {
    if (!existsSync(path.join(ROOT, 'dist/bundle/main.js'))) throw new Error('dist/bundle/ is missing: npm run build');
    const javascript = (args: string[]) => filesImported(args).filter((u) => u.startsWith('file:'));
    const version = javascript(['--version']);
    expect(version.some((u) => u.endsWith('/dist/bundle/main.js'))).toBe(true);
    expect(version.length).toBeLessThan(20);
    const plan = javascript([
      'plan',
      '--dir',
      path.join(ROOT, 'examples/startup'),
      '--database-url',
      'postgres://nobody@127.0.0.1:1/none',
    ]);
    expect(plan.length).toBeLessThan(100);
  });
});
