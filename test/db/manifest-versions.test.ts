// Against real databases: v1 and v2 manifests of the same settings plan identically, a database
// applied from v1 plans "No changes" from the migrated v2 files (PostgreSQL and PGlite), roles and
// encryption method sets round-trip, and migration 007 keeps each project's method.
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/connection.js';
import { readState } from '../../src/db/read-state.js';
import { migrateText } from '../../src/manifest/versions/registry.js';
import type { Plan } from '../../src/plan/plan-types.js';
import { applyDir, planDir } from '../helpers/apply.js';
import { tempDir } from '../helpers/cli.js';
import { DATABASE_TARGETS, postgresAvailable, useFreshDatabase } from '../helpers/databases.js';
import { withDatabaseMigratedTo } from '../helpers/migrated-to.js';

/** A copy of an example folder with every manifest migrated to v2 as `argosctl migrate` does. */
function migratedCopy(example: string): string {
  const dir = path.join(tempDir(), 'm');
  cpSync(example, dir, { recursive: true });
  for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml'))) {
    const r = migrateText(readFileSync(path.join(dir, rel), 'utf8'));
    if (!r.ok) throw new Error(r.message);
    writeFileSync(path.join(dir, rel), r.text);
  }
  return dir;
}

/** A plan without what differs by construction between two files of the same settings: lines, digests, time. */
const comparable = (plan: Plan) =>
  plan.changes.map(({ source, ...change }) => ({ ...change, file: source && path.basename(source.file) }));

for (const target of DATABASE_TARGETS) {
  // PGlite once (the dialect matters for text[]): only this describe block opens one.
  describe.runIf(target.available)(`manifest versions on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);

    it('v1 and v2 files of the same settings plan identically; applied from v1, the v2 files plan no changes', async () => {
      // PGlite costs seconds per apply: one example folder there, all of them on PostgreSQL.
      const examples =
        target.name === 'pglite'
          ? ['examples/bank']
          : ['examples/bank', 'examples/startup', 'examples/global-platform'];
      for (const example of examples) {
        const v2 = migratedCopy(example);
        expect(comparable(await planDir(fresh.database, v2))).toEqual(
          comparable(await planDir(fresh.database, example)),
        );
        await applyDir(fresh.database, example);
        expect((await planDir(fresh.database, v2)).changes).toEqual([]);
      }
      const state = await readState(fresh.database.db);
      expect(state.projects.get('kbank-onboarding')).toMatchObject({
        encryptionMethods: ['GCM'],
        admins: [
          { email: 'ops@kbank.example', role: 'Member' },
          { email: 'security@kbank.example', role: 'Member' },
        ],
      });
    });

    // PostgreSQL only (declared there, not skipped on PGlite): the guard logic is dialect-free.
    if (target.name === 'postgres')
      it('a role change and accepting ECB are planned and applied; accepting ECB is guarded', async () => {
        await applyDir(fresh.database, 'examples/startup');
        const dir = migratedCopy('examples/startup');
        const file = path.join(dir, 'acme-beta.yaml');
        const text = readFileSync(file, 'utf8');
        writeFileSync(
          file,
          text
            .replace('encryption: { methods: [GCM] }', 'encryption: { methods: [GCM, ECB] }')
            .replace(/role: Member/, 'role: Owner'),
        );
        const plan = await planDir(fresh.database, dir);
        const shown = plan.changes.map(
          (c) =>
            `${c.action} ${c.projectId} ${c.path}${c.member ? `[${c.member}]` : ''} ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)} ${c.risk ?? ''}`,
        );
        expect(shown).toEqual([
          expect.stringMatching(/^update acme-trial spec\.admins\[.+\] \{"role":"Member"\} → \{"role":"Owner"\} $/),
          'update acme-trial spec.encryption.methods ["GCM"] → ["ECB","GCM"] downgrade-encryption',
        ]);
        await applyDir(fresh.database, dir);
        expect((await planDir(fresh.database, dir)).changes).toEqual([]);
        const roles = await sql<{
          role: string;
        }>`select role from admins where project_id = 'acme-trial' order by email`.execute(fresh.database.db);
        expect(roles.rows.map((r) => r.role)).toContain('owner');
      });

    if (target.name === 'postgres')
      it('a v1 project applied under the old GCM-only default: without method its next plan adds ECB, guarded', async () => {
        const dir = tempDir();
        const file = path.join(dir, 'old.yaml');
        const v1 = (encryption: string) =>
          `apiVersion: argosctl/v1\nkind: Project\nmetadata: { id: old-default, name: Old }\nspec:\n  status: TEST\n  authMethods: { idDocument: { enabled: true } }\n${encryption}`;
        writeFileSync(file, v1('  encryption: { method: GCM }\n')); // what the old reading stored
        await applyDir(fresh.database, dir);
        writeFileSync(file, v1(''));
        const shown = (await planDir(fresh.database, dir)).changes.map(
          (c) => `${c.projectId} ${c.path} ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)} ${c.risk ?? ''}`,
        );
        expect(shown).toEqual(['old-default spec.encryption.methods ["GCM"] → ["ECB","GCM"] downgrade-encryption']);
      });
  });
}

describe.runIf(postgresAvailable)('migration 007 on PostgreSQL', () => {
  it("keeps each project's encryption method as a one-method set and the project id constraint follows the grammar", async () => {
    await withDatabaseMigratedTo('003_service', async (database) => {
      await sql`insert into projects (id, name, status, encryption_method) values ('old-ecb', 'x', 'TEST', 'ECB'), ('old-gcm', 'y', 'TEST', 'GCM')`.execute(
        database.db,
      );
      await migrateToLatest(database.db);
      const rows = await sql<{
        id: string;
        encryption_methods: string[];
      }>`select id, encryption_methods from projects order by id`.execute(database.db);
      expect(rows.rows).toEqual([
        { id: 'old-ecb', encryption_methods: ['ECB'] },
        { id: 'old-gcm', encryption_methods: ['GCM'] },
      ]);
      await sql`insert into projects (id, name, status) values ('KBank_Prod7', 'z', 'TEST')`.execute(database.db);
      await expect(
        sql`insert into projects (id, name, status) values ('kbank_prod7', 'z', 'TEST')`.execute(database.db),
      ).rejects.toThrow(/case_folded/);
    });
  });
});
