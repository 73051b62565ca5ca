// `argosctl export` as users run it: adopt the examples (export → plan "No changes"), byte-stable,
// no key material, --unmanaged, and files that already exist or are links are never written through.
// In process, each test on its own PostgreSQL database from the template; the bank's round trip
// also runs on the embedded database, where the state is read through the other dialect.
import { open } from '../../src/keys/seal.js';
import { encryptionKeyLabel } from '../../src/keys/sealed-columns.js';
import {
  cpSync,
  existsSync,
  lstatSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { runCliInProcess as run } from '../helpers/cli-in-process.js';
import { useFreshDatabaseUrls } from '../helpers/databases.js';

const freshUrl = useFreshDatabaseUrls();
/** The current test's database (see beforeEach). */
let DB: string[];
beforeEach(async () => {
  DB = ['--database-url', await freshUrl()];
});

async function applied(example: string, manifests = 'projects'): Promise<string> {
  const dir = tempDir(example, 'projects');
  const r = await run(['apply', '--auto-approve', '--dir', manifests, ...DB], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

const files = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
const contents = (dir: string) =>
  new Map(
    files(dir)
      .filter((f) => statSync(path.join(dir, f)).isFile())
      .map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]),
  );

describe('argosctl export', () => {
  for (const [example, manifests, config, embedded] of [
    ['examples/bank', 'projects', undefined, true],
    ['examples/bank', 'projects', undefined, false],
    ['examples/startup', 'projects', undefined, false],
    ['examples/global-platform', 'projects', 'projects/argosctl.yaml', false],
  ] as const) {
    const on = embedded ? 'the embedded database' : 'PostgreSQL';
    it(`${example} on ${on}: export → plan is "No changes"; a second export (--force) is byte-identical`, async () => {
      if (embedded) DB = ['--database-url', 'pglite:./db'];
      const dir = await applied(example, manifests);
      if (config) {
        cpSync(path.join(dir, config), path.join(dir, 'out/argosctl.yaml'), { recursive: true });
      }
      const first = await run(['export', '--out', 'out', '--dir', manifests, ...DB], { cwd: dir });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).not.toMatch(/error|fix them before committing/);
      const plan = await run(['plan', '--dir', 'out', '--detailed-exitcode', ...DB], { cwd: dir });
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
      expect(plan.stdout).toMatch(/No changes/);
      const before = contents(path.join(dir, 'out'));
      const again = await run(['export', '--out', 'out', '--force', '--dir', manifests, ...DB], { cwd: dir });
      expect(again.code, again.stderr).toBe(0);
      expect(contents(path.join(dir, 'out'))).toEqual(before);
    });
  }

  it('writes the modeline, durations as people write them, public keys as files, and no key material', async () => {
    const dir = await applied('examples/bank');
    expect((await run(['export', '--out', 'out', ...DB], { cwd: dir })).code).toBe(0);
    const text = readFileSync(path.join(dir, 'out/kbank-onboarding.yaml'), 'utf8');
    const schema = path.relative(path.join(dir, 'out'), path.join(ROOT, 'schemas/project.v2.json'));
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${schema}`);
    expect(text).toMatch(/after: 24h\n/);
    expect(text).toMatch(/publicKey: keys\/kbank-onboarding\.pub\.pem\n/);
    expect(readFileSync(path.join(dir, 'out/keys/kbank-onboarding.pub.pem'), 'utf8')).toMatch(
      /^-----BEGIN PUBLIC KEY-----\n/,
    );
    const database = await openDatabase(DB[1]);
    const rows = await database.db.selectFrom('encryption_keys').selectAll().execute();
    await database.close();
    expect(rows.length).toBeGreaterThan(0);
    const masterKey = Buffer.from(process.env.ARGOS_MASTER_KEY!, 'base64'); // what the CLI runs were given
    const everything = [...contents(path.join(dir, 'out')).values()].join('\n');
    for (const row of rows) {
      const bytes = open(masterKey, row.sealed!, encryptionKeyLabel(row.project_id, row.name, row.rotation));
      for (const shown of [
        bytes.toString('hex'),
        bytes.toString('base64'),
        bytes.toString('base64url'),
        bytes.toString('latin1'),
      ])
        expect(everything).not.toContain(shown);
    }
    expect(everything).not.toMatch(/PRIVATE KEY/);
  });

  it('--unmanaged exports only the projects no manifest declares', async () => {
    const dir = await applied('examples/bank');
    cpSync(path.join(ROOT, 'examples/startup'), path.join(dir, 'startup'), { recursive: true });
    expect((await run(['apply', '--auto-approve', '--dir', 'startup', ...DB], { cwd: dir })).code).toBe(0);
    // projects/ declares the bank's projects only; the startup's two are unmanaged there.
    const r = await run(['export', '--unmanaged', '--out', 'adopted', '--dir', 'projects', ...DB], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(files(path.join(dir, 'adopted'))).toEqual(['acme-beta.yaml', 'acme-trial.yaml']);
    expect(r.stderr).toMatch(/Exported 2 project\(s\) \(2 already declared by a manifest\)/);
    // Adopting into the manifest folder itself: the next plan has nothing to do.
    const into = await run(['export', '--unmanaged', ...DB], { cwd: dir });
    expect(into.code, into.stderr).toBe(0);
    const plan = await run(['plan', '--detailed-exitcode', ...DB], { cwd: dir });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  it('--project limits the export; an id the database does not hold is an error', async () => {
    const dir = await applied('examples/bank');
    expect((await run(['export', '--project', 'kbank-prod', '--out', 'out', ...DB], { cwd: dir })).code).toBe(0);
    expect(files(path.join(dir, 'out'))).toEqual(['kbank-prod.yaml', 'keys', 'keys/kbank-prod.pub.pem']);
    const bad = await run(['export', '--project', 'nope', '--out', 'out2', ...DB], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/the database holds no project "nope"/);
    expect(existsSync(path.join(dir, 'out2'))).toBe(false);
  });

  it('refuses to overwrite without --force and writes nothing; never writes through a link, even with --force', async () => {
    const dir = await applied('examples/bank');
    writeFileSync(path.join(dir, 'outside.txt'), 'keep me');
    const out = path.join(dir, 'out');
    expect((await run(['export', '--out', 'out', ...DB], { cwd: dir })).code).toBe(0);
    writeFileSync(path.join(out, 'kbank-prod.yaml'), 'edited by hand\n');
    const refused = await run(['export', '--out', 'out', ...DB], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already exist.*kbank-prod\.yaml.*nothing was written/s);
    expect(readFileSync(path.join(out, 'kbank-prod.yaml'), 'utf8')).toBe('edited by hand\n');

    const linked = path.join(dir, 'linked');
    expect((await run(['export', '--out', 'linked', '--project', 'kbank-onboarding', ...DB], { cwd: dir })).code).toBe(
      0,
    );
    symlinkSync(path.join(dir, 'outside.txt'), path.join(linked, 'kbank-prod.yaml'));
    const viaLink = await run(['export', '--out', 'linked', '--force', ...DB], { cwd: dir });
    expect(viaLink.code).toBe(1);
    expect(viaLink.stderr).toMatch(/kbank-prod\.yaml .*is not a regular file; nothing was written/);
    expect(readFileSync(path.join(dir, 'outside.txt'), 'utf8')).toBe('keep me');
    expect(lstatSync(path.join(linked, 'kbank-prod.yaml')).isSymbolicLink()).toBe(true);
    expect(files(linked).filter((f) => f.endsWith('.tmp') || f.startsWith('.'))).toEqual([]);
  });

  it('a keys/ folder that is a link leading outside the output folder is refused', async () => {
    const dir = await applied('examples/bank');
    const elsewhere = tempDir();
    cpSync(path.join(ROOT, 'README.md'), path.join(dir, 'placeholder'));
    const out = path.join(dir, 'out');
    cpSync(path.join(dir, 'placeholder'), path.join(out, 'placeholder'));
    symlinkSync(elsewhere, path.join(out, 'keys'));
    const r = await run(['export', '--out', 'out', ...DB], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/keys in .* is not a folder/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});
