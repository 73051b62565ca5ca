// Break-glass is scoped: a project stopped outside git holds back only its own submissions change.
// Every other change of the same apply is written (exit 0), the stop stays, and the output says
// "changed outside git" until the manifest says emergency-stop too or --allow emergency-resume.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { breakGlass } from '../../src/apply/break-glass.js';
import type { Database } from '../../src/db/connection.js';
import { readState } from '../../src/db/read-state.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { makeStyle } from '../../src/render/style.js';
import { applyDir, applyDirGuarded, planDir } from '../helpers/apply.js';
import { tempDir } from '../helpers/cli.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`"${from}" is not in ${file}`);
  writeFileSync(file, text.replace(from, to));
}

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`break-glass scope on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let database: Database;
    let dir: string;
    let manifest: string;
    beforeAll(async () => {
      database = fresh.database;
      dir = path.join(tempDir('examples/bank'), 'projects');
      manifest = path.join(dir, 'kbank-onboarding.yaml');
      await applyDir(database, dir);
      await breakGlass(database.db, 'kbank-prod', 'emergency-stop', 'fraud wave', {
        actor: 'alice',
        git: {},
        lock: { timeoutMs: 0 },
      });
    });

    it('the plan shows the stop under "changed outside git", in text, markdown and JSON', async () => {
      const plan = await planDir(database, dir);
      expect(plan.refusals).toEqual([
        expect.objectContaining({
          kind: 'break-glass',
          risk: 'emergency-resume',
          projectId: 'kbank-prod',
          path: 'spec.submissions',
          unless: 'the manifest says "emergency-stop" too, or --allow emergency-resume is given',
        }),
      ]);
      expect(renderPlanText(plan, makeStyle(false))).toMatch(
        /Changed outside git: apply leaves these as they are; everything else applies:\n {2}! kbank-prod spec\.submissions stays "emergency-stop": emergency stop set outside git by alice at \S+ \("fraud wave"\)\n {6}apply will refuse to change it unless the manifest says "emergency-stop" too, or --allow emergency-resume is given/,
      );
      expect(renderPlanMarkdown(plan)).toMatch(
        /\*\*Changed outside git\*\*[^\n]*\n\n- :warning: kbank-prod spec\.submissions stays &quot;emergency-stop&quot;/,
      );
      expect(JSON.parse(JSON.stringify(plan)).changes[0].outsideGit).toMatchObject({
        action: 'emergency-stop',
        actor: 'alice',
        reason: 'fraud wave',
      });
    });

    it('an unrelated change in another project applies (exit 0); the stopped project stays stopped', async () => {
      edit(manifest, 'name: KBank onboarding', 'name: KBank onboarding v2');
      edit(manifest, 'name: KBank production', 'name: KBank prod'); // same project, another setting: applies too
      const result = await applyDirGuarded(database, dir);
      expect(result.plan.changes.map((c) => `${c.projectId} ${c.path}`)).toEqual([
        'kbank-onboarding metadata.name',
        'kbank-prod metadata.name',
      ]);
      expect(result.held.map((c) => `${c.projectId} ${c.path} ${String(c.before)}`)).toEqual([
        'kbank-prod spec.submissions emergency-stop',
      ]);
      const state = await readState(database.db);
      expect(state.projects.get('kbank-onboarding')?.name).toBe('KBank onboarding v2');
      expect(state.projects.get('kbank-prod')).toMatchObject({ name: 'KBank prod', submissions: 'emergency-stop' });
      const audit = await database.db
        .selectFrom('audit_log')
        .select(['project_id', 'path'])
        .where('action', '=', 'update')
        .execute();
      expect(audit.map((r) => `${r.project_id} ${r.path}`).sort()).toEqual([
        'kbank-onboarding metadata.name',
        'kbank-prod metadata.name',
      ]);
      // Nothing else to do, and the stop still shows.
      expect((await applyDirGuarded(database, dir)).plan.changes).toEqual([]);
      expect((await planDir(database, dir)).refusals).toHaveLength(1);
    });

    it('once the manifest says emergency-stop too, nothing is held or shown', async () => {
      const text = readFileSync(manifest, 'utf8');
      const prod = text.indexOf('id: kbank-prod');
      writeFileSync(
        manifest,
        text.slice(0, prod) + text.slice(prod).replace('status: OPEN', 'status: OPEN\n  submissions: emergency-stop'),
      );
      const plan = await planDir(database, dir);
      expect(plan.changes).toEqual([]);
      expect(plan.refusals).toEqual([]);
      writeFileSync(manifest, text);
    });

    it('--allow emergency-resume lifts it; then no note is left', async () => {
      const result = await applyDirGuarded(database, dir, ['emergency-resume']);
      expect(result.held).toEqual([]);
      expect(result.plan.changes.map((c) => `${c.projectId} ${c.path} ${String(c.after)}`)).toEqual([
        'kbank-prod spec.submissions normal',
      ]);
      expect((await readState(database.db)).projects.get('kbank-prod')?.submissions).toBe('normal');
      const plan = await planDir(database, dir);
      expect([plan.changes, plan.refusals]).toEqual([[], []]);
    });
  });
}
