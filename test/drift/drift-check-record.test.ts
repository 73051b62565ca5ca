// The dashboard's "last drift check": every `argosctl drift` run appends its result (projects that
// differ, with how many settings; projects only in the database), on both databases; the overview
// and the project page show it; a read-only transaction leaves the run unrecorded with a note and
// the same exit code. The CLI runs in process.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { driftCheckOf } from '../../src/drift/drift-check-record.js';
import type { DriftItem } from '../../src/drift/classify-drift.js';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess as runCli } from '../helpers/cli-in-process.js';
import { DATABASE_TARGETS } from '../helpers/databases.js';
import { asProxy, startDashboard, type RunningDashboard } from '../dashboard/fixtures.js';

describe('driftCheckOf', () => {
  it('counts differing settings per project and sorts the unmanaged ids', () => {
    const item = (projectId: string) => ({ projectId, key: 'k', origin: 'git' }) as unknown as DriftItem;
    expect(driftCheckOf([item('a'), item('b'), item('a')], ['z', 'y'])).toEqual({
      drifted: { a: 2, b: 1 },
      unmanaged: ['y', 'z'],
    });
    expect(driftCheckOf([], [])).toEqual({ drifted: {}, unmanaged: [] });
  });
});

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`drift results recorded for the dashboard on ${target.name}`, () => {
    let cwd: string;
    let url: string;
    let drop: () => Promise<void>;
    const cli = (argv: string[], databaseUrl = url) => runCli([...argv, '--database-url', databaseUrl], { cwd });
    const checks = async () => {
      const database: Database = await openDatabase(url);
      try {
        return await database.db.selectFrom('drift_checks').selectAll().orderBy('checked_at').execute();
      } finally {
        await database.close();
      }
    };

    beforeAll(async () => {
      cwd = tempDir('examples/bank');
      if (target.name === 'pglite') {
        url = `pglite:${path.join(cwd, '.argos/db')}`;
        drop = async () => {};
      } else ({ url, drop } = await target.fresh());
      expect((await cli(['db', 'migrate'])).code).toBe(0);
      const applied = await cli(['apply', '--auto-approve']);
      expect(applied.code, applied.stderr).toBe(0);
    });
    afterAll(() => drop?.());

    it('a clean run records no drifted project; a renamed project is recorded with its one differing setting', async () => {
      const clean = await cli(['drift']);
      expect(clean.code, clean.stderr).toBe(0);
      expect(clean.stderr).not.toContain('not recorded');
      const manifest = path.join(cwd, 'projects/kbank-onboarding.yaml');
      writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('name: KBank production', 'name: KBank prod 2'));
      const drifted = await cli(['drift']);
      expect(drifted.code, drifted.stderr).toBe(2);
      const rows = await checks();
      expect(rows.map((r) => [r.drifted, r.unmanaged])).toEqual([
        [{}, []],
        [{ 'kbank-prod': 1 }, []],
      ]);
    });

    it('the overview and the project page show the last check: drift for one project, in sync for the other', async () => {
      const database = await openDatabase(url);
      let dash: RunningDashboard | undefined;
      try {
        dash = await startDashboard(database);
        const office = { client: '10.20.30.40' }; // inside both projects' dashboard whitelists
        const overview = await asProxy(dash.base, '/', 'ops@kbank.example', office);
        expect(overview.status).toBe(200);
        expect(overview.text).toContain('Last drift check');
        const row = (id: string) => overview.text.split(`href="/projects/${id}"`)[1].split('</tr>')[0];
        expect(row('kbank-prod')).toMatch(/drift: 1 setting\(s\) differ<\/strong>, checked \d{4}-\d\d-\d\d /);
        expect(row('kbank-onboarding')).toMatch(/in sync, checked \d{4}-/);
        const page = await asProxy(dash.base, '/projects/kbank-prod', 'ops@kbank.example', office);
        expect(page.text).toMatch(/<dt>Last drift check<\/dt><dd><strong class="dirty">drift: 1 setting\(s\) differ/);
      } finally {
        await dash?.close();
        await database.close();
      }
    });

    it.skipIf(target.name !== 'postgres')(
      'in a read-only transaction the run is not recorded, says so, and keeps its exit code',
      async () => {
        const before = (await checks()).length;
        const readOnly = new URL(url);
        readOnly.searchParams.set('options', '-c default_transaction_read_only=on');
        const r = await cli(['drift'], readOnly.toString());
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toContain('note: drift result not recorded for the dashboard: the transaction is read-only');
        expect((await checks()).length).toBe(before);
      },
    );
  });
}
