// Encryption key material at rest: sealed with the master key (a database dump holds no key), clear
// rows from before migration 005 sealed by `db migrate`, every sealed value moved to a new master
// key by `keys rewrap` in one transaction, and the one reveal (terminal or --out file, audited).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { revealEncryptionKey } from '../../src/keys/encryption-keys.js';
import { rewrapAll } from '../../src/keys/rewrap.js';
import { open } from '../../src/keys/seal.js';
import { encryptionKeyLabel } from '../../src/keys/sealed-columns.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { tempDir } from '../helpers/cli.js';
import { TEST_MASTER_KEY, applyManifests, manifest, reveal } from '../helpers/service.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;
const keyed = manifest(
  'vault',
  '  encryption:\n    keys:\n      - { name: k1, status: active }\n      - { name: k2, status: retired }\n' +
    '  security:\n    apiKey: { rotation: 1 }\n',
);
const forms = (b: Buffer) => [b.toString('hex'), b.toString('base64'), b.toString('base64url')];

describe.skipIf(!postgres.available)('sealed key material on postgres', () => {
  const fresh = useFreshDatabase(postgres);
  const dir = tempDir();
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCliInProcess([...args, '--database-url', fresh.url], { cwd: dir, env });

  it('a pg_dump of the database holds no encryption key: only sealed values', async () => {
    await applyManifests(fresh.database, { vault: keyed }, dir);
    const { material } = await revealEncryptionKey(fresh.database.db, 'vault', 'k1', 'test', () => TEST_MASTER_KEY);
    expect(material).toHaveLength(32);
    const dump = execFileSync('pg_dump', ['--data-only', fresh.url], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(dump).toContain('encryption_keys');
    for (const form of forms(material)) expect(dump.toLowerCase()).not.toContain(form.toLowerCase());
    const rows = await fresh.database.db.selectFrom('encryption_keys').selectAll().execute();
    expect(rows.map((r) => r.material)).toEqual([null, null]);
  });

  it('db migrate seals rows still in clear from before migration 005; without a master key it warns and leaves them', async () => {
    const clear = randomBytes(32);
    await sql`insert into encryption_keys (project_id, name, status, material, fingerprint) values ('vault', 'legacy', 'active', ${clear}, 'sha256:000000000000')`.execute(
      fresh.database.db,
    );
    const without = await cli(['db', 'migrate'], { ARGOS_MASTER_KEY: '' });
    expect(without.code).toBe(0);
    expect(without.stderr).toMatch(
      /warning: 1 encryption key\(s\) are still stored in clear: secret material needs a master key/,
    );
    const sealed = await cli(['db', 'migrate']);
    expect(sealed.stdout).toMatch(/Sealed 1 encryption key\(s\) that were stored in clear/);
    const row = await fresh.database.db
      .selectFrom('encryption_keys')
      .selectAll()
      .where('name', '=', 'legacy')
      .executeTakeFirstOrThrow();
    expect(row.material).toBeNull();
    expect(open(TEST_MASTER_KEY, row.sealed!, encryptionKeyLabel('vault', 'legacy', 1)).equals(clear)).toBe(true);
  });

  it('keys reveal: refused into a pipe (the reveal is not spent), once into a 0600 --out file, never over a file, then refused (exit 3)', async () => {
    const pipe = await cli(['keys', 'reveal', 'vault', 'legacy']);
    expect(pipe.code).toBe(1);
    expect(pipe.stderr).toMatch(/stdout is not a terminal: refusing to print a secret[\s\S]*--out FILE/);
    writeFileSync(path.join(dir, 'taken'), 'x');
    expect((await cli(['keys', 'reveal', 'vault', 'legacy', '--out', 'taken'])).stderr).toMatch(/taken already exists/);
    const first = await cli(['keys', 'reveal', 'vault', 'legacy', '--out', 'legacy.key'], { ARGOSCTL_ACTOR: 'alice' });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('');
    // The line ends at the file: no "store it now:" leading into nothing.
    expect(first.stderr).toMatch(/; written to legacy\.key \(mode 0600\)\n/);
    expect(first.stderr).not.toMatch(/store it now/);
    expect(statSync(path.join(dir, 'legacy.key')).mode & 0o777).toBe(0o600);
    const shown = Buffer.from(readFileSync(path.join(dir, 'legacy.key'), 'utf8').trim(), 'base64');
    expect(shown).toHaveLength(32);
    const again = await cli(['keys', 'reveal', 'vault', 'legacy', '--yes-print-secret', '--out', 'again.key']);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already revealed at \S+ by alice; it is shown only once[\s\S]*rotate: 2/);
    expect(existsSync(path.join(dir, 'again.key'))).toBe(false);
    const audit = await fresh.database.db
      .selectFrom('key_reveals')
      .select(['secret', 'revealed_by'])
      .where('secret', '=', 'encryption-key:legacy')
      .execute();
    expect(audit).toEqual([{ secret: 'encryption-key:legacy', revealed_by: 'alice' }]);
    const list = await cli(['keys', 'list', 'vault']);
    expect(list.stdout).toMatch(
      /encryption-key legacy rotation 1 {2}active {2}sha256:0{12} {2}key id 0{12} .* revealed \S+ by alice/,
    );
    expect(list.stdout).toMatch(/encryption-key k2 rotation 1 {2}retired .* opens URLs until \S+ {2}not revealed yet/);
    for (const form of forms(shown)) expect(list.stdout + list.stderr).not.toContain(form);
  });

  it('keys rewrap moves every sealed value to the new key in one transaction; one value the old key cannot open moves none', async () => {
    const newKey = randomBytes(32);
    const sealedNow = async () =>
      JSON.stringify(await sql`select name, sealed from encryption_keys order by name`.execute(fresh.database.db));
    // A value sealed under a different key: the rewrap must fail and leave everything as it was.
    const before = await sealedNow();
    await sql`update api_keys set sealed = ${Buffer.concat([Buffer.from([1]), randomBytes(60)])}`.execute(
      fresh.database.db,
    );
    await expect(rewrapAll(fresh.database.db, TEST_MASTER_KEY, newKey)).rejects.toThrow(
      /cannot open the sealed api-key:vault:1/,
    );
    expect(await sealedNow()).toBe(before);
    await sql`delete from api_keys`.execute(fresh.database.db);
    // (the manifest does not declare legacy: that key is removed)
    await applyManifests(fresh.database, { vault: keyed.replace('rotation: 1', 'rotation: 2') }, dir);

    const keyFile = path.join(dir, 'new.key');
    writeFileSync(keyFile, newKey.toString('base64') + '\n', { mode: 0o600 });
    const r = await cli(['keys', 'rewrap', '--new-key-file', keyFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/re-sealed 1 in api_keys\.sealed, 2 in encryption_keys\.sealed/);
    expect(r.stderr).toMatch(/from now on use the NEW master key/);
    const rows = await fresh.database.db.selectFrom('encryption_keys').selectAll().execute();
    for (const row of rows) {
      const label = encryptionKeyLabel('vault', row.name, row.rotation);
      expect(() => open(TEST_MASTER_KEY, row.sealed!, label)).toThrow(/cannot open/);
      expect(open(newKey, row.sealed!, label)).toHaveLength(32);
    }
    const apiKey = await cli(['keys', 'reveal', 'vault', 'api-key', '--yes-print-secret'], {
      ARGOS_MASTER_KEY: newKey.toString('base64'),
    });
    expect(apiKey.stdout).toMatch(/^argos_[A-Za-z0-9_-]{43}\n$/);
    await expect(reveal(fresh.database, 'vault')).rejects.toThrow(/already revealed/);
  });
});
