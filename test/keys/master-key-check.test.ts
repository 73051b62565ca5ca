// One master key per database: what seals checks the key against the check value recorded at the
// first seal (or, in a database from before it, against every value sealed there), under a lock held
// to its commit, so a wrong ARGOS_MASTER_KEY, a key file a checkout replaced, a deleted key file made
// anew or a rewrap racing an apply never leaves secrets sealed with two keys. `keys rewrap` moves the
// record with the secrets; `keys rewrap --old-key-lost` shows what only the lost key opened and, with
// --yes, removes it and makes the configured key (embedded: a new key file) the database's.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { DatabaseSchema } from '../../src/db/schema.js';
import { GuardError, LockError } from '../../src/errors.js';
import pg from 'pg';
import {
  checkedMasterKey,
  lockMasterKey,
  masterKeyCheckValue,
  refuseWrongConfiguredKey,
  sealedValues,
} from '../../src/keys/master-key-check.js';
import { adoptMasterKey, rewrapAll } from '../../src/keys/rewrap.js';
import { open, seal } from '../../src/keys/seal.js';
import { serviceTransmissionKeyLabel } from '../../src/keys/sealed-columns.js';
import { serviceKey } from '../../src/transmit/service-key.js';
import { applyDir } from '../helpers/apply.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { tempDir } from '../helpers/cli.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { manifest, TEST_MASTER_KEY } from '../helpers/service.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;
const keyedSpec = (rotation: number) =>
  `  encryption:\n    keys:\n      - { name: k1, status: active }\n  security:\n    apiKey: { rotation: ${rotation} }\n`;

function projectsDir(files: Record<string, string>): string {
  const dir = path.join(tempDir(), 'projects');
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, `${name}.yaml`), text);
  return dir;
}

/** apply with `key` as the master key, through the library (as the CLI does, minus the terminal). */
const applyWithKey = (database: Database, dir: string, key: Buffer) => applyDir(database, dir, () => key);
const check = (db: Kysely<DatabaseSchema>, key: Buffer) =>
  db.transaction().execute((tx) => checkedMasterKey(tx, () => key));
const recorded = async (db: Kysely<DatabaseSchema>) =>
  (await sql<{ check_value: Uint8Array }>`select check_value from master_key_check`.execute(db)).rows.map((r) =>
    Buffer.from(r.check_value),
  );
/** A service key pair's row sealed under `key`, as earlier versions could leave one under a second key. */
const sealServiceKeyUnder = (db: Kysely<DatabaseSchema>, projectId: string, key: Buffer) =>
  db
    .insertInto('service_transmission_keys')
    .values({
      project_id: projectId,
      public_key: 'x',
      fingerprint: 'x',
      sealed: seal(key, Buffer.from('x'), serviceTransmissionKeyLabel(projectId)),
    })
    .onConflict((oc) => oc.column('project_id').doNothing())
    .execute();
const labels = async (db: Kysely<DatabaseSchema>) => (await sealedValues(db)).map((v) => v.label).sort();

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`the master key check on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);

    it('the first seal records the key; another key is refused (exit 3) before anything is sealed or written', async () => {
      const db = fresh.database.db;
      await applyWithKey(fresh.database, projectsDir({ a: manifest('mk-a', keyedSpec(1)) }), TEST_MASTER_KEY);
      const [value] = await recorded(db);
      expect(value.equals(masterKeyCheckValue(TEST_MASTER_KEY))).toBe(true);
      // The check value is not the key in any form.
      for (const form of [TEST_MASTER_KEY.toString('hex'), TEST_MASTER_KEY.toString('base64')])
        expect(value.toString('hex')).not.toContain(form.slice(0, 16));

      const before = await labels(db);
      const refused = applyWithKey(fresh.database, projectsDir({ a: manifest('mk-a', keyedSpec(2)) }), randomBytes(32));
      await expect(refused).rejects.toThrow(GuardError);
      await expect(refused).rejects.toThrow(
        /the configured master key is not the one this database's secrets are sealed with/,
      );
      expect(await labels(db)).toEqual(before);
      const row = await db
        .selectFrom('projects')
        .select('api_key_rotation')
        .where('id', '=', 'mk-a')
        .executeTakeFirst();
      expect(row?.api_key_rotation).toBe(1);
      // The right key goes on.
      await applyWithKey(fresh.database, projectsDir({ a: manifest('mk-a', keyedSpec(2)) }), TEST_MASTER_KEY);
      expect(await labels(db)).toEqual(['api-key:mk-a:2', 'encryption-key:mk-a:k1:1']);
    });

    it('a database from before the check: the key must open every value sealed there; one that opens only some names the rest', async () => {
      const db = fresh.database.db;
      await sql`delete from master_key_check`.execute(db);
      await expect(check(db, randomBytes(32))).rejects.toThrow(
        /is not the one this database's secrets are sealed with/,
      );
      // What earlier versions could leave: one value sealed under a second key.
      const second = randomBytes(32);
      await sealServiceKeyUnder(db, 'mk-a', second);
      await expect(check(db, TEST_MASTER_KEY)).rejects.toThrow(
        /secrets sealed under more than one master key .*opens 2 of 3; not service-transmission-key:mk-a/,
      );
      await expect(check(db, second)).rejects.toThrow(/opens 1 of 3/);
      expect(await recorded(db)).toEqual([]);
      await db.deleteFrom('service_transmission_keys').execute();
      expect((await check(db, TEST_MASTER_KEY)).equals(TEST_MASTER_KEY)).toBe(true);
      expect(await recorded(db)).toEqual([masterKeyCheckValue(TEST_MASTER_KEY)]);
    });

    it('a database earlier versions left under two keys: serve and worker warn and start; --old-key-lost re-seals what the other key at hand opens instead of losing it', async () => {
      const db = fresh.database.db;
      await sql`delete from master_key_check`.execute(db);
      const second = randomBytes(32);
      await sealServiceKeyUnder(db, 'mk-a', second);
      const warnings: string[] = [];
      const env = { ARGOS_MASTER_KEY: TEST_MASTER_KEY.toString('base64') };
      await refuseWrongConfiguredKey(db, 'postgres://unused', env, (m) => warnings.push(m));
      expect(warnings.join('')).toMatch(/warning: this database holds secrets sealed under more than one master key/);
      await expect(
        refuseWrongConfiguredKey(
          db,
          'postgres://unused',
          { ARGOS_MASTER_KEY: randomBytes(32).toString('base64') },
          () => {},
        ),
      ).rejects.toThrow(/is not the one/);
      const look = await adoptMasterKey(db, second, { adopt: false, alsoOpens: TEST_MASTER_KEY });
      expect(look.lost).toEqual([]);
      expect(look.moved.sort()).toEqual(['api-key:mk-a:2', 'encryption-key:mk-a:k1:1']);
      const done = await adoptMasterKey(db, second, { adopt: true, alsoOpens: TEST_MASTER_KEY });
      expect(done.lost).toEqual([]);
      for (const v of await sealedValues(db)) expect(open(second, v.sealed, v.label)).toBeInstanceOf(Buffer);
      await rewrapAll(db, second, TEST_MASTER_KEY);
      await db.deleteFrom('service_transmission_keys').execute();
    });

    it('a service key is not made with a wrong master key', async () => {
      await expect(serviceKey(fresh.database.db, 'mk-a', () => randomBytes(32))).rejects.toThrow(GuardError);
      expect(await fresh.database.db.selectFrom('service_transmission_keys').selectAll().execute()).toEqual([]);
      const made = await serviceKey(fresh.database.db, 'mk-a', () => TEST_MASTER_KEY);
      expect(made.publicKeyPem).toMatch(/BEGIN PUBLIC KEY/);
    });

    it('keys rewrap moves the record with the secrets: the old key is refused after, the new one accepted', async () => {
      const db = fresh.database.db;
      await expect(rewrapAll(db, randomBytes(32), randomBytes(32))).rejects.toThrow(/is not the one/);
      const next = randomBytes(32);
      await rewrapAll(db, TEST_MASTER_KEY, next);
      await expect(check(db, TEST_MASTER_KEY)).rejects.toThrow(/is not the one/);
      expect((await check(db, next)).equals(next)).toBe(true);
      await rewrapAll(db, next, TEST_MASTER_KEY);
    });

    it('keys rewrap --old-key-lost: without adopting, only says what would go; adopting removes it, so nothing left blocks opening, signing or a later rewrap', async () => {
      const db = fresh.database.db;
      const replacement = randomBytes(32);
      const before = await labels(db);
      const look = await adoptMasterKey(db, replacement, { adopt: false });
      expect(look.lost.map((v) => [v.label, v.outcome]).sort()).toEqual([
        ['api-key:mk-a:2', 'unrevealable'],
        ['encryption-key:mk-a:k1:1', 'reissued-at-apply'],
        ['service-transmission-key:mk-a', 'made-on-next-use'],
      ]);
      expect(await labels(db)).toEqual(before);
      expect(await recorded(db)).toEqual([masterKeyCheckValue(TEST_MASTER_KEY)]);

      const adopted = await adoptMasterKey(db, replacement, { actor: 'alice', adopt: true });
      expect(adopted.lost).toHaveLength(3);
      expect(adopted.moved).toEqual([]);
      expect(await labels(db)).toEqual([]);
      // The API key still works by its hash: only its sealed copy went.
      expect(
        await db.selectFrom('api_keys').select('rotation').where('project_id', '=', 'mk-a').execute(),
      ).toContainEqual({ rotation: 2 });
      const event = await db
        .selectFrom('audit_events')
        .select(['kind', 'detail'])
        .where('actor', '=', 'alice')
        .executeTakeFirst();
      expect(event).toMatchObject({ kind: 'rewrap', detail: { oldKeyLost: true, unopenable: 3 } });
      // The declared key generation is issued anew under the adopted key, and a rewrap moves everything.
      await applyWithKey(fresh.database, projectsDir({ a: manifest('mk-a', keyedSpec(2)) }), replacement);
      expect(await labels(db)).toEqual(['encryption-key:mk-a:k1:1']);
      await rewrapAll(db, replacement, TEST_MASTER_KEY);
      expect((await check(db, TEST_MASTER_KEY)).equals(TEST_MASTER_KEY)).toBe(true);
    });

    it('--old-key-lost does not act on a look made before another rewrap', async () => {
      const db = fresh.database.db;
      const look = await adoptMasterKey(db, randomBytes(32), { adopt: false });
      const next = randomBytes(32);
      await rewrapAll(db, TEST_MASTER_KEY, next);
      await expect(
        adoptMasterKey(db, randomBytes(32), { adopt: true, ifRecorded: look.recordedBefore }),
      ).rejects.toThrow(/changed since this command looked/);
      expect((await check(db, next)).equals(next)).toBe(true);
      await rewrapAll(db, next, TEST_MASTER_KEY);
    });

    it('a recorded key with nothing sealed any more: another key is still refused (it may be one a checkout brought); --old-key-lost replaces it with nothing to remove', async () => {
      const db = fresh.database.db;
      await db.deleteFrom('encryption_keys').execute();
      await sql`update api_keys set sealed = null`.execute(db);
      const other = randomBytes(32);
      await expect(check(db, other)).rejects.toThrow(/is not the one this database's secrets are sealed with/);
      const adopted = await adoptMasterKey(db, other, { adopt: true });
      expect(adopted.lost).toEqual([]);
      expect(await recorded(db)).toEqual([masterKeyCheckValue(other)]);
    });
  });
}

describe('keys left in clear from before migration 005', () => {
  const fresh = useFreshDatabase(DATABASE_TARGETS[0]);
  it('an apply that issues nothing seals them under the checked key; a wrong key seals nothing', async () => {
    const db = fresh.database.db;
    await applyWithKey(fresh.database, projectsDir({ c: manifest('mk-c', '') }), TEST_MASTER_KEY);
    const clear = randomBytes(32);
    await sql`insert into encryption_keys (project_id, name, status, material, fingerprint)
      values ('mk-c', 'legacy', 'active', ${clear}, 'sha256:000000000000')`.execute(db);
    await sql`insert into master_key_check (id, check_value) values (true, ${masterKeyCheckValue(TEST_MASTER_KEY)})`.execute(
      db,
    );
    // Declared, so the apply keeps it; the change it makes (a name) issues nothing.
    const declared = manifest('mk-c', '  encryption:\n    keys:\n      - { name: legacy, status: active }\n');
    const renamed = projectsDir({ c: declared.replace('name: mk-c', 'name: renamed') });
    await expect(applyWithKey(fresh.database, renamed, randomBytes(32))).rejects.toThrow(/is not the one/);
    expect(await labels(db)).toEqual([]);
    await applyWithKey(fresh.database, renamed, TEST_MASTER_KEY);
    const [row] = await db
      .selectFrom('encryption_keys')
      .select(['material', 'sealed'])
      .where('name', '=', 'legacy')
      .execute();
    expect(row.material).toBeNull();
    expect(open(TEST_MASTER_KEY, row.sealed!, 'encryption-key:mk-c:legacy:1').equals(clear)).toBe(true);
  });
});

describe.skipIf(!postgres.available)('the master key lock on postgres', () => {
  const fresh = useFreshDatabase(postgres);

  it('a secret sealed under the old key while a rewrap starts is moved too: the rewrap waits for its commit', async () => {
    const db = fresh.database.db;
    await applyWithKey(fresh.database, projectsDir({ r: manifest('mk-r', keyedSpec(1)) }), TEST_MASTER_KEY);
    let sealed!: () => void;
    const hasSealed = new Promise<void>((resolve) => (sealed = resolve));
    const sealing = db.transaction().execute(async (tx) => {
      const key = await checkedMasterKey(tx, () => TEST_MASTER_KEY);
      await sealServiceKeyUnder(tx, 'mk-r', key);
      sealed();
      await new Promise((r) => setTimeout(r, 300)); // the rewrap has started meanwhile
    });
    await hasSealed;
    const next = randomBytes(32);
    await Promise.all([sealing, rewrapAll(db, TEST_MASTER_KEY, next)]);
    const values = await sealedValues(db);
    expect(values.map((v) => v.label)).toContain('service-transmission-key:mk-r');
    for (const v of values) expect(() => open(next, v.sealed, v.label)).not.toThrow();
  });

  it('waits for the master-key lock only so long, then refuses (exit 3) naming what holds it', async () => {
    const holder = new pg.Client({ connectionString: fresh.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select pg_advisory_xact_lock(1095912269)'); // 0x41524b4d, as lockMasterKey takes it
      const waited = fresh.database.db.transaction().execute((tx) => lockMasterKey(tx, 300));
      await expect(waited).rejects.toThrow(LockError);
      await expect(waited).rejects.toThrow(/another command is sealing or moving sealed secrets/);
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
    await fresh.database.db.transaction().execute((tx) => lockMasterKey(tx, 300));
  });

  it('of two first seals with two keys, one is recorded and the other refused', async () => {
    const db = fresh.database.db;
    await db.deleteFrom('service_transmission_keys').execute();
    await db.deleteFrom('encryption_keys').execute();
    await sql`update api_keys set sealed = null`.execute(db);
    await sql`delete from master_key_check`.execute(db);
    const keys = [randomBytes(32), randomBytes(32)];
    const results = await Promise.allSettled(
      keys.map((key, i) =>
        db.transaction().execute(async (tx) => {
          await checkedMasterKey(tx, () => key);
          const pid = `mk-r`;
          await tx
            .insertInto('service_transmission_keys')
            .values({
              project_id: pid,
              public_key: `${i}`,
              fingerprint: 'x',
              sealed: seal(key, Buffer.from('x'), serviceTransmissionKeyLabel(pid)),
            })
            .onConflict((oc) => oc.column('project_id').doNothing())
            .execute();
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const winner = keys[results.findIndex((r) => r.status === 'fulfilled')];
    expect(await recorded(db)).toEqual([masterKeyCheckValue(winner)]);
  });
});

describe('the embedded key file', () => {
  const noEnvKey = { ARGOS_MASTER_KEY: undefined };
  const cli = (cwd: string, args: string[]) =>
    runCliInProcess([...args, '--database-url', 'pglite:.argos/db'], { cwd, env: noEnvKey });

  it('replaced (as a checkout replaces an ignored file) or deleted: refused, nothing made or written; --old-key-lost shows, then with --yes writes a new key and keeps the old file aside', async () => {
    const cwd = tempDir();
    const write = (rotation: number) => {
      mkdirSync(path.join(cwd, 'projects'), { recursive: true });
      writeFileSync(path.join(cwd, 'projects', 'vault.yaml'), manifest('vault', keyedSpec(rotation)));
    };
    const keyFile = path.join(cwd, '.argos', 'db.master-key');
    write(1);
    expect((await cli(cwd, ['apply', '--auto-approve'])).code).toBe(0);

    const planted = `${randomBytes(32).toString('base64')}\n`;
    writeFileSync(keyFile, planted, { mode: 0o600 });
    write(2);
    const replaced = await cli(cwd, ['apply', '--auto-approve']);
    expect(replaced.code).toBe(3);
    expect(replaced.stderr).toMatch(
      /error: the master key file \S+db\.master-key is not the one this database's secrets are sealed with \(checking out a branch that tracks the key file replaces it/,
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

    // The planted file is back (a checkout): --old-key-lost never adopts it.
    writeFileSync(keyFile, planted, { mode: 0o600 });
    const look = await cli(cwd, ['keys', 'rewrap', '--old-key-lost']);
    expect(look.code).toBe(3);
    expect(look.stdout).toMatch(
      /a new master key file \S+ would become this database's master key; 2 sealed value\(s\) no key at hand opens would go:\n {2}api-key:vault:1 {2}its sealed copy[^\n]*\n {2}encryption-key:vault:k1:1 {2}this generation[^\n]*\nnothing changed: pass --yes/,
    );
    expect(readFileSync(keyFile, 'utf8')).toBe(planted);

    const adopted = await cli(cwd, ['keys', 'rewrap', '--old-key-lost', '--yes']);
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(adopted.stdout).toMatch(
      /a new master key file \S+ is now this database's master key; 2 sealed value\(s\) no key at hand opens are gone:\n[\s\S]*\nthe file it replaces is kept as \S+db\.master-key\.replaced-[0-9TZ-]+\n$/,
    );
    const written = readFileSync(keyFile, 'utf8');
    expect(written).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    expect(written).not.toBe(planted);
    const aside = readdirSync(path.join(cwd, '.argos')).filter((f) => f.startsWith('db.master-key.replaced-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(cwd, '.argos', aside[0]), 'utf8')).toBe(planted);

    // A cut-short run (committed, the new file not yet in place) is named by the next refusal.
    const staged = `${keyFile}.new-2026-12-07T00-00-00-000Z`;
    writeFileSync(staged, written, { mode: 0o600 });
    writeFileSync(keyFile, planted, { mode: 0o600 });
    const cutShort = await cli(cwd, ['apply', '--auto-approve']);
    expect(cutShort.code).toBe(3);
    expect(cutShort.stderr).toMatch(
      /hint: the key this database records is in \S+db\.master-key\.new-2026-12-07T00-00-00-000Z .*move it to \S+db\.master-key/,
    );
    const lostAgain = await cli(cwd, ['keys', 'rewrap', '--old-key-lost', '--yes']);
    expect(lostAgain.code).toBe(3);
    expect(lostAgain.stderr).toMatch(
      /error: the key this database records is in \S+\.new-2026-12-07T00-00-00-000Z: it is not lost/,
    );
    expect(readFileSync(keyFile, 'utf8')).toBe(planted);
    rmSync(keyFile);
    writeFileSync(keyFile, written, { mode: 0o600 });
    rmSync(staged);

    // Run again by mistake with the key now in force: nothing is lost, nothing replaced.
    const again = await cli(cwd, ['keys', 'rewrap', '--old-key-lost', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/is this database's master key: nothing is lost, nothing was changed/);
    expect(readFileSync(keyFile, 'utf8')).toBe(written);

    const applied = await cli(cwd, ['apply', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    const shown = await cli(cwd, ['keys', 'reveal', 'vault', 'api-key', '--yes-print-secret']);
    expect(shown.stdout).toMatch(/^argos_[A-Za-z0-9_-]{43}\n$/);
    const history = await cli(cwd, ['history']);
    expect(history.stdout).toMatch(
      /rewrap .*old master key lost: the configured key adopted, 2 sealed value\(s\) no key opens/,
    );
  });

  it('tracked by git (a branch force-added it): --old-key-lost neither adopts it nor writes a key there; untracked garbage there is named and kept aside', async () => {
    const cwd = path.join(tempDir(), 'my proj');
    mkdirSync(cwd);
    execFileSync('git', ['init', '-q'], { cwd });
    mkdirSync(path.join(cwd, 'projects'));
    writeFileSync(path.join(cwd, 'projects', 'vault.yaml'), manifest('vault', keyedSpec(1)));
    expect((await cli(cwd, ['apply', '--auto-approve'])).code).toBe(0);
    const keyFile = path.join(cwd, '.argos', 'db.master-key');
    writeFileSync(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    execFileSync('git', ['add', '-f', '.argos/db.master-key'], { cwd });
    const before = readFileSync(keyFile, 'utf8');
    const r = await cli(cwd, ['keys', 'rewrap', '--old-key-lost', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/error: the master key file .+db\.master-key is tracked by git on this branch/);
    expect(readFileSync(keyFile, 'utf8')).toBe(before);
    expect(readdirSync(path.join(cwd, '.argos')).filter((f) => f.startsWith('db.master-key.'))).toEqual([]);

    execFileSync('git', ['rm', '-q', '--cached', '.argos/db.master-key'], { cwd });
    writeFileSync(keyFile, 'AAAA\n', { mode: 0o600 });
    const look = await cli(cwd, ['keys', 'rewrap', '--old-key-lost']);
    expect(look.code).toBe(3);
    expect(look.stdout).toMatch(
      /would become this database's master key \(the file at its name is not a master key: it is kept aside, never used\);/,
    );
  });

  it('deleted once nothing is sealed (every API key revealed): the next apply makes a new random one', async () => {
    const cwd = tempDir();
    const write = (rotation: number) => {
      mkdirSync(path.join(cwd, 'projects'), { recursive: true });
      writeFileSync(
        path.join(cwd, 'projects', 'plain.yaml'),
        manifest('plain', `  security:\n    apiKey: { rotation: ${rotation} }\n`),
      );
    };
    write(1);
    expect((await cli(cwd, ['apply', '--auto-approve'])).code).toBe(0);
    expect((await cli(cwd, ['keys', 'reveal', 'plain', 'api-key', '--out', 'key.txt'])).code).toBe(0);
    rmSync(path.join(cwd, '.argos', 'db.master-key'));
    write(2);
    const remade = await cli(cwd, ['apply', '--auto-approve']);
    expect(remade.code, remade.stderr).toBe(0);
    expect(remade.stderr).toMatch(/apply: generated the master key file/);
    expect((await cli(cwd, ['keys', 'reveal', 'plain', 'api-key', '--yes-print-secret'])).stdout).toMatch(/^argos_/);
  });
});
