// Reading and writing project state on both dialects: PGlite and a real PostgreSQL server.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertFresh, lockedApply } from '../../src/apply/apply-plan.js';
import type { Database } from '../../src/db/connection.js';
import { readState } from '../../src/db/read-state.js';
import { readManifests } from '../../src/validate/read-manifests.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { applyDir, planDir } from '../helpers/apply.js';
import { open } from '../../src/keys/seal.js';
import { encryptionKeyLabel } from '../../src/keys/sealed-columns.js';

const masterKey = Buffer.from(process.env.ARGOS_MASTER_KEY!, 'base64');

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`state on ${target.name}`, () => {
    let queries = 0;
    const fresh = useFreshDatabase(target, { onQuery: () => queries++ });
    let database: Database;
    beforeAll(() => {
      database = fresh.database;
    });

    it('applies every example, reads back exactly the desired settings, and then plans nothing', async () => {
      for (const dir of ['examples/bank', 'examples/startup', 'examples/global-platform']) {
        const plan = await applyDir(database, dir);
        expect(plan.changes.length).toBeGreaterThan(0);
        expect((await planDir(database, dir)).changes).toEqual([]);
        const set = await readManifests(dir);
        const state = await readState(
          database.db,
          set.projects.map((p) => p.settings.id),
        );
        for (const p of set.projects) expect(state.projects.get(p.settings.id)).toEqual(p.settings);
      }
    });

    it('reads all projects with a fixed number of queries, whatever their count', async () => {
      queries = 0;
      expect((await readState(database.db)).projects.size).toBe(7);
      const forSeven = queries;
      await sql`insert into projects (id, name, status) select 'extra-' || i, 'x', 'TRIAL' from generate_series(1, 50) i`.execute(
        database.db,
      );
      await sql`insert into admins (project_id, email) select 'extra-' || i, 'a@x.example' from generate_series(1, 50) i`.execute(
        database.db,
      );
      queries = 0;
      expect((await readState(database.db)).projects.size).toBe(57);
      expect(queries).toBe(forSeven);
      expect(forSeven).toBeLessThanOrEqual(6);
      await sql`delete from projects where id like 'extra-%'`.execute(database.db);
    });

    it('writes an audit row per change with commit and plan digest, and issues 256-bit key material', async () => {
      const audit = await database.db
        .selectFrom('audit_log')
        .selectAll()
        .where('project_id', '=', 'kbank-prod')
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ action: 'create', actor: 'test', git_commit: 'abc123' });
      expect(audit[0].plan_digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      const rows = await database.db
        .selectFrom('encryption_keys')
        .selectAll()
        .where('project_id', '=', 'kbank-prod')
        .orderBy('name')
        .execute();
      // Sealed with the master key, never in clear; the label binds each to its project, name and rotation.
      expect(rows.map((k) => [k.name, k.material, k.rotation])).toEqual([
        ['2026-q3', null, 1],
        ['2026-q4', null, 1],
      ]);
      const keys = rows.map((k) => open(masterKey, k.sealed!, encryptionKeyLabel('kbank-prod', k.name, 1)));
      expect(keys.map((k) => k.length)).toEqual([32, 32]);
      expect(keys[0].equals(keys[1])).toBe(false);
    });

    it("sees a change made behind the tool's back, and changes the fingerprint", async () => {
      const before = await readState(database.db);
      await sql`update projects set privacy_protection = false where id = 'globex-eu'`.execute(database.db);
      await sql`insert into ip_whitelist values ('globex-us', 'api', '192.0.2.0/24')`.execute(database.db);
      const after = await readState(database.db);
      expect(after.fingerprint).not.toBe(before.fingerprint);
      const plan = await planDir(database, 'examples/global-platform');
      expect(plan.changes.map((c) => `${c.projectId} ${c.action} ${c.path}${c.member ? `[${c.member}]` : ''}`)).toEqual(
        [
          'globex-eu update spec.security.privacyProtection',
          'globex-us remove spec.security.ipWhitelist.api[192.0.2.0/24]',
        ],
      );
      await applyDir(database, 'examples/global-platform');
      expect((await planDir(database, 'examples/global-platform')).changes).toEqual([]);
    });

    it('refuses a saved plan once the database changed since it was planned', async () => {
      const plan = await planDir(database, 'examples/startup');
      await sql`update projects set name = 'renamed' where id = 'acme-beta'`.execute(database.db);
      const stale = await planDir(database, 'examples/startup');
      expect(stale.changes).toHaveLength(1);
      await expect(
        lockedApply(
          database.db,
          undefined,
          (state) => {
            assertFresh(plan, state);
            return plan;
          },
          { actor: 't', git: {}, lock: { timeoutMs: 0 } },
        ),
      ).rejects.toThrow(/stale/);
    });

    it('repeats the important rules as constraints', async () => {
      const bad = [
        sql`update projects set status = 'LIVE' where id = 'acme-beta'`,
        sql`update projects set token_volume_ratio = 101 where id = 'acme-beta'`,
        sql`insert into ip_whitelist values ('acme-beta', 'api', '10.1.2.3/8')`,
        sql`insert into ip_whitelist values ('acme-beta', 'api', '2001:db8::/32')`,
        sql`insert into admins (project_id, email) values ('acme-beta', 'Upper@Case.example')`,
        sql`insert into admins (project_id, email) values ('no-such-project', 'a@b.example')`,
        sql`update auth_methods set fraud_detection = '{"mrzCheck": {"enabled": true}}' where project_id = 'acme-beta' and method = 'knowledgeBased'`,
        sql`update projects set token_pre_registration = false where id = 'acme-beta'`,
        sql`insert into projects (id, name, status) values ('../bad', 'x', 'TEST')`,
        sql`insert into projects (id, name, status) values ('kаbank', 'x', 'TEST')`, // Cyrillic а: a look-alike
        sql`insert into projects (id, name, status) values ('Acme-Beta', 'x', 'TEST')`, // acme-beta differing only in case
        sql`update projects set encryption_methods = '{GCM,ECB}' where id = 'acme-beta'`, // not sorted
        sql`update projects set encryption_methods = '{}' where id = 'acme-beta'`,
        sql`update projects set encryption_methods = '{CBC}' where id = 'acme-beta'`,
      ];
      for (const statement of bad) await expect(statement.execute(database.db)).rejects.toThrow();
    });
  });
}
