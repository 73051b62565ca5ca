// One master key per database: what seals checks the key against the check value recorded at the
// first seal (or, in a database from before it, against a value sealed there), so a wrong
// ARGOS_MASTER_KEY, a key file a checkout replaced or a deleted key file made anew never leaves
// secrets sealed with two keys. `keys rewrap` moves the record with the secrets; `keys rewrap
// --old-key-lost` adopts the configured key and lists what only the lost one opened.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { GuardError } from '../../src/errors.js';
import { checkedMasterKey, masterKeyCheckValue } from '../../src/keys/master-key-check.js';
import { adoptMasterKey, rewrapAll } from '../../src/keys/rewrap.js';
import { serviceKey } from '../../src/transmit/service-key.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { tempDir } from '../helpers/cli.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { manifest, TEST_MASTER_KEY } from '../helpers/service.js';
import { applyDir } from '../helpers/apply.js';

const keyedSpec = (rotation: number) => `  security:\n    apiKey: { rotation: ${rotation} }\n`;

function projectsDir(files: Record<string, string>): string {
  const dir = path.join(tempDir(), 'projects');
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, `${name}.yaml`), text);
  return dir;
}

/** apply with `key` as the master key, through the library (as the CLI does, minus the terminal). */
const applyWithKey = (database: Database, dir: string, key: Buffer) => applyDir(database, dir, () => key);

const sealedApiKeys = async (database: Database) =>
  (await sql<{ rotation: number }>`select rotation from api_keys order by rotation`.execute(database.db)).rows.map(
    (r) => r.rotation,
  );

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`the master key check on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);

    it('the first seal records the key; another key is refused (exit 3) before anything is sealed or written', async () => {
      const db = fresh.database.db;
      await sql`delete from master_key_check`.execute(db);
      await applyWithKey(fresh.database, projectsDir({ a: manifest('mk-a', keyedSpec(1)) }), TEST_MASTER_KEY);
      const [row] = (await sql<{ check_value: Uint8Array }>`select check_value from master_key_check`.execute(db)).rows;
      expect(Buffer.from(row.check_value).equals(masterKeyCheckValue(TEST_MASTER_KEY))).toBe(true);
      // The check value is not the key in any form.
      for (const form of [TEST_MASTER_KEY.toString('hex'), TEST_MASTER_KEY.toString('base64')])
        expect(Buffer.from(row.check_value).toString('hex')).not.toContain(form.slice(0, 16));

      const other = randomBytes(32);
      const refused = applyWithKey(fresh.database, projectsDir({ a: manifest('mk-a', keyedSpec(2)) }), other);
      await expect(refused).rejects.toThrow(GuardError);
      await expect(refused).rejects.toThrow(
        /the configured master key is not the one this database's secrets are sealed with/,
      );
      expect(await sealedApiKeys(fresh.database)).toEqual([1]);
      const revision = await db
        .selectFrom('projects')
        .select('api_key_rotation')
        .where('id', '=', 'mk-a')
        .executeTakeFirst();
      expect(revision?.api_key_rotation).toBe(1);
      // The right key goes on.
      await applyWithKey(fresh.database, projectsDir({ a: manifest('mk-a', keyedSpec(2)) }), TEST_MASTER_KEY);
      expect(await sealedApiKeys(fresh.database)).toEqual([1, 2]);
    });

    it('a database from before the check: the key must open a value sealed there, and is recorded once it does', async () => {
      const db = fresh.database.db;
      await sql`delete from master_key_check`.execute(db);
      const wrong = randomBytes(32);
      await expect(checkedMasterKey(db, () => wrong)).rejects.toThrow(
        /is not the one this database's secrets are sealed with/,
      );
      expect((await sql`select 1 from master_key_check`.execute(db)).rows).toEqual([]);
      expect((await checkedMasterKey(db, () => TEST_MASTER_KEY)).equals(TEST_MASTER_KEY)).toBe(true);
      expect((await sql`select 1 from master_key_check`.execute(db)).rows).toHaveLength(1);
    });

    it('a service key is not made with a wrong master key', async () => {
      const wrong = randomBytes(32);
      await expect(serviceKey(fresh.database.db, 'mk-a', () => wrong)).rejects.toThrow(GuardError);
      expect(await fresh.database.db.selectFrom('service_transmission_keys').selectAll().execute()).toEqual([]);
      const made = await serviceKey(fresh.database.db, 'mk-a', () => TEST_MASTER_KEY);
      expect(made.publicKeyPem).toMatch(/BEGIN PUBLIC KEY/);
    });

    it('keys rewrap moves the record with the secrets: the old key is refused after, the new one accepted', async () => {
      const db = fresh.database.db;
      const wrongOld = randomBytes(32);
      await expect(rewrapAll(db, wrongOld, randomBytes(32))).rejects.toThrow(/is not the one/);
      const next = randomBytes(32);
      await rewrapAll(db, TEST_MASTER_KEY, next);
      await expect(checkedMasterKey(db, () => TEST_MASTER_KEY)).rejects.toThrow(/is not the one/);
      expect((await checkedMasterKey(db, () => next)).equals(next)).toBe(true);
      await rewrapAll(db, next, TEST_MASTER_KEY);
    });

    it('keys rewrap --old-key-lost adopts the configured key, lists what only the lost key opened and removes the service key pair it cannot open', async () => {
      const db = fresh.database.db;
      const replacement = randomBytes(32);
      const r = await adoptMasterKey(db, replacement, 'alice');
      // (rotation 1's sealed copy went with its rotation: only rotation 2's waits for its reveal)
      expect(r.unopenable.sort()).toEqual(['api-key:mk-a:2', 'service-transmission-key:mk-a']);
      expect(await db.selectFrom('service_transmission_keys').selectAll().execute()).toEqual([]);
      expect((await checkedMasterKey(db, () => replacement)).equals(replacement)).toBe(true);
      const event = await db
        .selectFrom('audit_events')
        .select(['kind', 'actor', 'detail'])
        .where('actor', '=', 'alice')
        .executeTakeFirst();
      expect(event).toMatchObject({ kind: 'rewrap', detail: { oldKeyLost: true, unopenable: 2 } });
      // Back to the suite's key for the files after this one.
      await adoptMasterKey(db, TEST_MASTER_KEY, 'test');
    });
  });
}

describe.skipIf(!DATABASE_TARGETS[1].available)('concurrent first seals with two keys on postgres', () => {
  const fresh = useFreshDatabase(DATABASE_TARGETS[1]);
  it('one key is recorded; the other is refused', async () => {
    const keys = [randomBytes(32), randomBytes(32)];
    const results = await Promise.allSettled(
      keys.map((key) => fresh.database.db.transaction().execute((tx) => checkedMasterKey(tx, () => key))),
    );
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const winner = keys[results.findIndex((r) => r.status === 'fulfilled')];
    const [row] = (
      await sql<{ check_value: Uint8Array }>`select check_value from master_key_check`.execute(fresh.database.db)
    ).rows;
    expect(Buffer.from(row.check_value).equals(masterKeyCheckValue(winner))).toBe(true);
  });
});

describe('the embedded key file', () => {
  const noEnvKey = { ARGOS_MASTER_KEY: undefined };
  const cli = (cwd: string, args: string[]) =>
    runCliInProcess([...args, '--database-url', 'pglite:.argos/db'], { cwd, env: noEnvKey });

  it('replaced (as a checkout replaces an ignored file) or deleted: refused, nothing made or written; --old-key-lost recovers and says what to rotate', async () => {
    const cwd = tempDir();
    const write = (rotation: number) => {
      mkdirSync(path.join(cwd, 'projects'), { recursive: true });
      writeFileSync(path.join(cwd, 'projects', 'vault.yaml'), manifest('vault', keyedSpec(rotation)));
    };
    const keyFile = path.join(cwd, '.argos', 'db.master-key');
    write(1);
    expect((await cli(cwd, ['apply', '--auto-approve'])).code).toBe(0);

    writeFileSync(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    write(2);
    const replaced = await cli(cwd, ['apply', '--auto-approve']);
    expect(replaced.code).toBe(3);
    expect(replaced.stderr).toMatch(
      /error: the master key file \S+db\.master-key is not the one this database's secrets are sealed with/,
    );
    expect(replaced.stderr).toMatch(/hint: .*argosctl keys rewrap --old-key-lost/);
    expect(replaced.stderr).not.toMatch(/apply: writing/);
    // serve and worker refuse it at start, not at the first encrypted URL or webhook signature.
    for (const start of [
      ['serve', '--port', '0'],
      ['worker', '--once'],
    ]) {
      const r = await cli(cwd, start);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/the master key file \S+ is not the one this database's secrets are sealed with/);
      expect(r.stderr).not.toMatch(/listening on/);
    }

    rmSync(keyFile);
    const missing = await cli(cwd, ['apply', '--auto-approve']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(
      /the master key file \S+ is missing, and this database holds secrets sealed with it/,
    );
    expect(missing.stderr).not.toMatch(/generated the master key file/);
    expect(existsSync(keyFile)).toBe(false);
    const reveal = await cli(cwd, ['keys', 'reveal', 'vault', 'api-key', '--yes-print-secret']);
    expect(reveal.code).toBe(1);
    expect(reveal.stderr).toMatch(/the master key file \S+ is missing/);
    expect(existsSync(keyFile)).toBe(false);

    const adopted = await cli(cwd, ['keys', 'rewrap', '--old-key-lost']);
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(adopted.stdout).toMatch(
      /is now this database's master key\n1 sealed value\(s\) were sealed with the lost key[^\n]*\n {2}api-key:vault:1\n/,
    );
    expect(readFileSync(keyFile, 'utf8')).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    const applied = await cli(cwd, ['apply', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    const shown = await cli(cwd, ['keys', 'reveal', 'vault', 'api-key', '--yes-print-secret']);
    expect(shown.stdout).toMatch(/^argos_[A-Za-z0-9_-]{43}\n$/);
    const history = await cli(cwd, ['history']);
    expect(history.stdout).toMatch(
      /rewrap .*old master key lost: the configured key adopted, 1 sealed value\(s\) no key opens/,
    );
  });
});
