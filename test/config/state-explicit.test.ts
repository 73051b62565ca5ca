// State is explicit: argosctl.yaml is found walking up to the git root and says where the
// manifests and the database are; every command that touches a database names it on stderr; CI
// without a configured database refuses to write; a PGlite lock from another host is refused.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseDatabase } from '../../src/config/choose-database.js';
import { findConfig } from '../../src/config/find-config.js';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess as runInProcess } from '../helpers/cli-in-process.js';
import { useSharedMemoryDatabase } from '../helpers/databases.js';

const CANARY = 'Canary5k2Zyaml';

/** A git repository (a .git folder is what discovery looks for) with files written into it. */
function repo(files: Record<string, string>, copy?: { from: string; as: string }): string {
  const root = tempDir(copy?.from, copy?.as);
  mkdirSync(path.join(root, '.git'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

const ORG = 'apiVersion: argosctl/v1\nkind: Organization\n';

describe('argosctl.yaml is found by walking up to the git root', () => {
  // One in-memory database held for the block, named wherever these tests name a database: the
  // commands name it as they would `memory:`, without starting a new embedded database each.
  const memory = useSharedMemoryDatabase();

  it('from a subfolder: the same manifests and the same database, and no second .argos/db', async () => {
    const root = repo(
      { 'argosctl.yaml': `${ORG}manifests: settings\n`, 'sub/deeper/README': 'x' },
      { from: 'examples/bank', as: 'settings' },
    );
    const deeper = path.join(root, 'sub/deeper');
    const applied = await runInProcess(['apply', '--auto-approve'], { cwd: root });
    expect(applied.code, applied.stderr).toBe(0);
    const line = `database: embedded PGlite at ${path.join(root, '.argos/db')} (the default; nothing configured)`;
    expect(applied.stderr.split('\n')).toContain(line);
    const [plan, validate] = [
      await runInProcess(['plan', '--detailed-exitcode'], { cwd: deeper }),
      await runInProcess(['validate'], { cwd: deeper }),
    ];
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/No changes/);
    expect(plan.stderr.split('\n')).toContain(line);
    expect(validate.stdout).toMatch(/2 project\(s\) in 1 manifest file\(s\) and argosctl\.yaml are valid/);
    expect(existsSync(path.join(deeper, '.argos'))).toBe(false);
    expect(existsSync(path.join(root, 'sub/.argos'))).toBe(false);
  });

  it('organisation rules apply with argosctl.yaml at the manifest root (the first layout) and above it', async () => {
    const rules = readFileSync('test/fixtures/invalid/region-rules/argosctl.yaml', 'utf8');
    const project = readFileSync('test/fixtures/invalid/region-rules/p.yaml', 'utf8');
    const atRoot = repo({ 'projects/argosctl.yaml': rules, 'projects/p.yaml': project });
    const above = repo({ 'argosctl.yaml': `${rules}manifests: projects\n`, 'projects/p.yaml': project, 'sub/x': '' });
    const runs = [
      await runInProcess(['validate'], { cwd: atRoot }),
      await runInProcess(['validate'], { cwd: path.join(atRoot, 'projects') }),
      await runInProcess(['validate'], { cwd: path.join(above, 'sub') }),
      await runInProcess(['validate', '--dir', 'projects'], { cwd: above }),
    ];
    for (const r of runs) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/p\.yaml:8:\d+: error: .*requires spec\.security\.privacyProtection: true/);
    }
  });

  it('database: names the database; precedence is --database-url, ARGOS_DATABASE_URL, argosctl.yaml, default', async () => {
    const root = repo(
      { 'argosctl.yaml': `${ORG}database: "${memory.url}"\n`, 'sub/x': '' },
      { from: 'examples/startup', as: 'projects' },
    );
    const sub = path.join(root, 'sub');
    const shownConfig = path.relative(sub, path.join(root, 'argosctl.yaml')); // shown relative to the command's folder
    const fromFile = await runInProcess(['history'], { cwd: sub });
    const shown = `database: in-memory PGlite (${memory.url})`;
    expect(fromFile.stderr.split('\n')[0]).toBe(`${shown} (database: in ${shownConfig})`);
    const fromEnv = await runInProcess(['history'], { cwd: sub, env: { ARGOS_DATABASE_URL: memory.url } });
    expect(fromEnv.stderr.split('\n')[0]).toBe(`${shown} (ARGOS_DATABASE_URL)`);
    const fromFlag = await runInProcess(['history', '--database-url', memory.url], {
      cwd: sub,
      env: { ARGOS_DATABASE_URL: 'postgres://127.0.0.1:1/x' },
    });
    expect(fromFlag.stderr.split('\n')[0]).toBe(`${shown} (--database-url)`);
    for (const r of [fromFile, fromEnv, fromFlag]) expect(r.code, r.stderr).toBe(0);
    // a relative pglite: path is relative to the file that names it, or to the working folder for flag and environment
    const relative = repo({ 'argosctl.yaml': `${ORG}database: pglite:state/db\n`, 'sub/x': '' });
    const inSub = path.join(relative, 'sub');
    expect(chooseDatabase({ cwd: inSub, env: {}, config: findConfig(inSub) }).url.display).toBe(
      `embedded PGlite at ${path.join(relative, 'state/db')}`,
    );
    expect(
      chooseDatabase({ cwd: inSub, env: { ARGOS_DATABASE_URL: 'pglite:x' }, config: findConfig(inSub) }).url.display,
    ).toBe(`embedded PGlite at ${path.join(inSub, 'x')}`);
  });

  it('database: env:NAME reads the variable; an unset variable, or a password in the file, is refused', async () => {
    const named = repo(
      { 'argosctl.yaml': `${ORG}database: env:TEAM_DB\n` },
      { from: 'examples/startup', as: 'projects' },
    );
    const unset = await runInProcess(['history'], { cwd: named, env: { TEAM_DB: '' } });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toMatch(
      /argosctl\.yaml:3:11: database: env:TEAM_DB, and the environment variable TEAM_DB is not set/,
    );
    const set = await runInProcess(['history'], { cwd: named, env: { TEAM_DB: memory.url } });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr.split('\n')).toContainEqual(
      expect.stringMatching(
        new RegExp(`^database: in-memory PGlite \\(${memory.url}\\) \\(TEAM_DB, named in .*argosctl\\.yaml\\)$`),
      ),
    );
    for (const url of [
      `postgres://ci:${CANARY}@db.internal/argos`,
      `postgres://db.internal/argos?password=${CANARY}`,
    ]) {
      const leaky = repo(
        { 'argosctl.yaml': `${ORG}database: "${url}"\n` },
        { from: 'examples/startup', as: 'projects' },
      );
      for (const argv of [['validate'], ['plan'], ['plan', '--database-url', 'memory:']]) {
        const r = await runInProcess(argv, { cwd: leaky });
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/argosctl\.yaml:3:11: database holds a password/);
        expect(r.stderr).not.toContain(CANARY);
      }
    }
  });

  it('a manifests: folder outside the repository, in .git, or behind a link to outside is refused', async () => {
    for (const value of ['../elsewhere', '/etc', '.git']) {
      const root = repo({ 'argosctl.yaml': `${ORG}manifests: ${value}\n` });
      const r = await runInProcess(['validate'], { cwd: root });
      expect(r.code, value).toBe(1);
      expect(r.stderr).toMatch(/argosctl\.yaml:3:12: manifests must name a folder inside/);
    }
    const outside = tempDir('examples/startup');
    const linked = repo({ 'argosctl.yaml': `${ORG}manifests: settings\n` });
    symlinkSync(path.join(outside, 'projects'), path.join(linked, 'settings'));
    const r = await runInProcess(['validate'], { cwd: linked });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the manifest folder .*settings leads outside .* through a link; it is not read/);
  });

  it('an argosctl.yaml that is not valid YAML: validation reports it; its database is never guessed', async () => {
    const root = repo({ 'argosctl.yaml': `${ORG}database: memory:\n` }, { from: 'examples/startup', as: 'projects' });
    const validate = await runInProcess(['validate'], { cwd: root });
    expect(validate.code).toBe(1);
    expect(validate.stderr).toMatch(/argosctl\.yaml:3:\d+: error: not valid YAML/);
    const history = await runInProcess(['history'], { cwd: root });
    expect(history.code).toBe(1);
    expect(history.stderr).toMatch(/argosctl\.yaml is not valid YAML, so the database it may name is unknown/);
    expect(existsSync(path.join(root, '.argos'))).toBe(false);
  });
});

describe('CI without a database', () => {
  it('apply --auto-approve exits 1, names the missing setting and creates no .argos folder', async () => {
    const root = repo({ 'sub/x': '' }, { from: 'examples/bank', as: 'projects' });
    const fromRoot = await runInProcess(['apply', '--auto-approve'], { cwd: root, env: { CI: 'true' } });
    const emptySecret = await runInProcess(['apply', '--auto-approve'], {
      cwd: path.join(root, 'sub'),
      env: { CI: '1', ARGOS_DATABASE_URL: '' },
    });
    for (const r of [fromRoot, emptySecret]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^error: CI is set and no database is configured \(ARGOS_DATABASE_URL, --database-url, or database: in argosctl\.yaml\): refusing to run `apply`/m,
      );
    }
    expect(existsSync(path.join(root, '.argos'))).toBe(false);
    expect(existsSync(path.join(root, 'sub/.argos'))).toBe(false);
  });

  it('every writing command refuses; reading commands warn loudly; a configured database is used', async () => {
    const root = repo({}, { from: 'examples/bank', as: 'projects' });
    const env = { CI: 'true' };
    const writers = [
      ['emergency-stop', 'kbank-prod', '--reason', 'x'],
      ['emergency-resume', 'kbank-prod', '--reason', 'x'],
      ['tokens', 'register', 'kbank-onboarding', 'tok-00000001'],
      ['tokens', 'delete', 'kbank-onboarding', 'tok-00000001'],
      ['tokens', 'start', 'kbank-onboarding', 'tok-00000001'],
      ['prune'],
      ['worker', '--once'],
      ['db', 'migrate'],
    ];
    for (const argv of writers) {
      const r = await runInProcess(argv, { cwd: root, env });
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/CI is set and no database is configured/);
    }
    expect(existsSync(path.join(root, '.argos'))).toBe(false);
    const plan = await runInProcess(['plan'], { cwd: root, env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).toMatch(
      /WARNING: CI is set and no database is configured[\s\S]*`plan` reads the embedded default .* new and EMPTY/,
    );
    const configured = await runInProcess(['apply', '--auto-approve', '--database-url', 'memory:'], { cwd: root, env });
    expect(configured.code, configured.stderr).toBe(0);
    expect(configured.stderr).not.toMatch(/WARNING/);
  });
});

describe('the embedded database lock', () => {
  it('a lock held from another host is refused, not taken over, and says how to remove a stale one', async () => {
    const root = repo({}, { from: 'examples/startup', as: 'projects' });
    const lock = path.join(root, '.argos/db/.argosctl.lock');
    mkdirSync(path.dirname(lock), { recursive: true });
    const holder = JSON.stringify({ pid: process.pid, host: 'build-agent-7', since: '2026-01-01T00:00:00.000Z' });
    writeFileSync(lock, holder);
    const r = await runInProcess(['plan'], { cwd: root });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/locked by argosctl on another host, "build-agent-7"/);
    expect(r.stderr).toContain(`if no argosctl runs on that host any more, delete ${lock}`);
    expect(readFileSync(lock, 'utf8')).toBe(holder);
  });
});
