// Finding 6 of issue 17: renaming a project id only in case (xproj → XProj) planned a create that
// the database's case-folded unique index refused at every apply (23505). It is a plan error now,
// naming both ids, on both databases; the pure check is tested from builders too.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { idCaseRenames } from '../../src/plan/id-case-renames.js';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { applyDir, planDir } from '../helpers/apply.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';

const manifest = (id: string) => `apiVersion: argosctl/v2
kind: Project
metadata:
  id: ${id}
  name: Renamed
spec:
  status: TEST
  authMethods: { idDocument: { enabled: true } }
  encryption: { methods: [GCM] }
`;

const desired = (id: string) =>
  ({ settings: { id }, sourceOf: () => ({ file: 'p/x.yaml', line: 4 }) }) as unknown as Parameters<
    typeof idCaseRenames
  >[0][number];

describe('idCaseRenames (pure)', () => {
  it('names both ids when a manifest id differs only in case from a database id', () => {
    const [problem, ...rest] = idCaseRenames([desired('XProj')], ['xproj', 'other']);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ rule: 'project.id-case-rename', file: 'p/x.yaml', line: 4, path: 'metadata.id' });
    expect(problem.message).toContain('"XProj"');
    expect(problem.message).toContain('"xproj"');
  });

  it('is silent for the same id and for ids that differ in more than case', () => {
    expect(idCaseRenames([desired('xproj'), desired('yproj')], ['xproj'])).toEqual([]);
  });
});

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`renaming an id only in case on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);

    it('the plan holds an error naming both ids instead of a create the database refuses', async () => {
      const dir = path.join(tempDir(), 'projects');
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'x.yaml'), manifest('xproj'));
      await applyDir(fresh.database, dir);
      writeFileSync(path.join(dir, 'x.yaml'), manifest('XProj'));
      const plan = await planDir(fresh.database, dir);
      expect(plan.diagnostics).toHaveLength(1);
      expect(plan.diagnostics[0]).toMatchObject({ rule: 'project.id-case-rename', line: 4 });
      expect(plan.diagnostics[0].message).toMatch(/"XProj" differs only in case from "xproj"/);
      expect(plan.unmanaged).toEqual(['xproj']);
    });
  });
}

// The CLI face on PostgreSQL (a PGlite folder costs seconds a command; the check is the planner's).
describe.skipIf(!DATABASE_TARGETS[1].available)('plan and apply refuse a case-only rename (CLI)', () => {
  const releases: (() => void)[] = [];
  afterAll(() => {
    for (const release of releases) release();
  });

  it('exit 1 with file:line and both ids; apply writes nothing and shows no database error', async () => {
    const cwd = tempDir();
    const fresh = await DATABASE_TARGETS[1].fresh();
    releases.push(fresh.release);
    mkdirSync(path.join(cwd, 'projects'));
    const file = path.join(cwd, 'projects/x.yaml');
    const cli = (...args: string[]) => runCliInProcess([...args, '--database-url', fresh.url], { cwd });
    writeFileSync(file, manifest('xproj'));
    expect((await cli('apply', '--auto-approve')).code).toBe(0);

    writeFileSync(file, manifest('XProj'));
    const plan = await cli('plan');
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/projects\/x\.yaml:4:\d+: error: project id "XProj" differs only in case from "xproj"/);
    const json = await cli('plan', '--format', 'json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).diagnostics[0].rule).toBe('project.id-case-rename');

    const apply = await cli('apply', '--auto-approve');
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('project.id-case-rename');
    expect(apply.stderr).not.toMatch(/database error|23505/);
  });
});
