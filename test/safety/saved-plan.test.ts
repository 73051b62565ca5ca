// A saved plan cannot be forged: apply recomputes it from the manifests and the database and
// refuses (exit 3, nothing written) at the first difference, naming it. Applying the same desired
// state again later (a→b→a→b) works; only re-running the very same saved file is "already applied".
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GuardError, UserError } from '../../src/errors.js';
import { readPlanFile, writePlanFile, type SavedPlan } from '../../src/cli/plan-file.js';
import type { Database } from '../../src/db/connection.js';
import { readState } from '../../src/db/read-state.js';
import { applyDir, applyDirGuarded, applySavedPlan, planDir } from '../helpers/apply.js';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { DATABASE_TARGETS, useCliDatabase, useFreshDatabase } from '../helpers/databases.js';
import { snapshot } from '../helpers/snapshot.js';

type Edit = (plan: Record<string, any>) => void;

function edit(dir: string, from: string, to: string): void {
  const file = path.join(dir, 'acme-beta.yaml');
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`"${from}" is not in the manifest`);
  writeFileSync(file, text.replace(from, to));
}

const changeAt = (plan: Record<string, any>, projectId: string, p: string) =>
  plan.changes.find((c: any) => c.projectId === projectId && c.path === p);

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`saved plans on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let database: Database;
    let root: string;
    let dir: string;
    let file: string;
    beforeAll(async () => {
      database = fresh.database;
      root = tempDir('examples/startup');
      dir = path.join(root, 'projects');
      await applyDir(database, dir);
      // The reviewed change: acme-trial TRIAL → TEST, and acme-beta turns private mode off (risky).
      edit(dir, 'status: TRIAL', 'status: TEST');
      edit(dir, 'privateMode: true', 'privateMode: false');
      file = path.join(root, 'plan.json');
      await writePlanFile(file, { ...(await planDir(database, dir)), manifestDir: dir });
    });

    async function forged(name: string, change: Edit): Promise<SavedPlan> {
      const plan = JSON.parse(readFileSync(file, 'utf8'));
      change(plan);
      const out = path.join(root, `${name}.json`);
      writeFileSync(out, JSON.stringify(plan));
      return readPlanFile(out);
    }

    const forgeries: [string, Edit, RegExp][] = [
      [
        'status changed to CLOSE',
        (p) => {
          changeAt(p, 'acme-trial', 'spec.status').after = 'CLOSE';
        },
        /project acme-trial spec\.status: after differs: the file has "CLOSE", recomputing gives "TEST"/,
      ],
      [
        'an admin added to the changes',
        (p) => {
          p.changes.push({
            action: 'add',
            projectId: 'acme-beta',
            path: 'spec.admins',
            member: 'evil@attacker.example',
            before: null,
            after: {},
            reason: 'x',
            source: null,
          });
          p.summary.add += 1;
        },
        /extra change acme-beta spec\.admins\[evil@attacker\.example\]/,
      ],
      [
        'the risk removed',
        (p) => {
          delete changeAt(p, 'acme-beta', 'spec.liveform.privateMode').risk;
          p.summary.risky -= 1;
          p.refusals = [];
        },
        /project acme-beta spec\.liveform\.privateMode: risk differs: the file has nothing, recomputing gives \["disable-private-mode"\]/,
      ],
      [
        'the refusal removed',
        (p) => {
          p.refusals = [];
        },
        /refusals\[0\] differs/,
      ],
      [
        'the summary changed',
        (p) => {
          p.summary.update = 0;
        },
        /summary\.update differs: the file has 0, recomputing gives 2/,
      ],
      [
        'the digest edited',
        (p) => {
          p.planDigest = `sha256:${'0'.repeat(64)}`;
        },
        /planDigest differs: the file has "sha256:0000/,
      ],
      [
        'createdAt moved (to dodge "already applied")',
        (p) => {
          p.createdAt = '2020-01-01T00:00:00.000Z';
        },
        /planDigest differs/,
      ],
      [
        'an unknown field added',
        (p) => {
          p.execute = 'rm -rf /';
        },
        /a field a plan does not have: "execute"/,
      ],
    ];

    for (const [name, change, message] of forgeries) {
      it(`refuses a forged plan (${name}) with exit 3, naming the difference; nothing is written`, async () => {
        const plan = await forged(name.replace(/\W+/g, '-'), change);
        const before = await snapshot(database.db);
        const error = await applySavedPlan(database, dir, plan, ['disable-private-mode']).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(GuardError);
        expect((error as GuardError).exitCode).toBe(3);
        expect((error as Error).message).toMatch(/the saved plan is not what the manifests and the database give/);
        expect((error as Error).message).toMatch(message);
        expect(await snapshot(database.db)).toBe(before);
      });
    }

    it('refuses a plan of another format version, or made by another argosctl version, with exit 1', async () => {
      for (const [name, change, message] of [
        [
          'format',
          (p: Record<string, any>) => {
            p.formatVersion = 2;
          },
          /has format version 2; this argosctl reads only format version 1/,
        ],
        [
          'version',
          (p: Record<string, any>) => {
            p.argosctlVersion = '0.0.1';
          },
          /was made by argosctl "0\.0\.1"; this is argosctl \d+\.\d+\.\d+/,
        ],
        [
          'created',
          (p: Record<string, any>) => {
            p.createdAt = 'yesterday';
          },
          /createdAt is not an ISO timestamp/,
        ],
      ] as const) {
        const error = await forged(name, change).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UserError);
        expect(error).not.toBeInstanceOf(GuardError);
        expect((error as UserError).exitCode).toBe(1);
        expect((error as Error).message).toMatch(message);
      }
    });

    it('applies the genuine plan: the recomputed changes, once; re-running the same file is "already applied"', async () => {
      const plan = await readPlanFile(file);
      const before = await snapshot(database.db);
      const refused = await applySavedPlan(database, dir, plan).catch((e: unknown) => e);
      expect((refused as Error).message).toMatch(
        /"disable-private-mode".*unless --allow disable-private-mode is given/,
      );
      expect(await snapshot(database.db)).toBe(before);

      const result = await applySavedPlan(database, dir, plan, ['disable-private-mode']);
      expect(result.plan.changes).toEqual(plan.changes);
      expect(result.plan.planDigest).toBe(plan.planDigest);
      const state = await readState(database.db);
      expect(state.projects.get('acme-trial')?.status).toBe('TEST');
      expect(state.projects.get('acme-beta')?.privateMode).toBe(false);

      const again = await applySavedPlan(database, dir, plan, ['disable-private-mode']).catch((e: unknown) => e);
      expect(again).toBeInstanceOf(GuardError);
      expect((again as Error).message).toMatch(/this plan was already applied at \d{4}-.* by test/);
    });

    it('a→b→a→b applies, with fresh saved plans and with auto-approve, and the audit names each plan', async () => {
      const name = () => readState(database.db).then((s) => s.projects.get('acme-trial')?.name);
      const viaSavedPlan = async () => {
        const out = path.join(root, `step-${Date.now()}-${Math.random()}.json`);
        await writePlanFile(out, { ...(await planDir(database, dir)), manifestDir: dir });
        const r = await applySavedPlan(database, dir, await readPlanFile(out));
        expect(r.plan.changes).toHaveLength(1);
      };
      const viaAutoApprove = async () => expect((await applyDirGuarded(database, dir)).plan.changes).toHaveLength(1);
      for (const step of [viaSavedPlan, viaAutoApprove]) {
        edit(dir, 'name: Acme trial', 'name: Acme B');
        await step();
        expect(await name()).toBe('Acme B');
        edit(dir, 'name: Acme B', 'name: Acme trial');
        await step();
        expect(await name()).toBe('Acme trial');
        edit(dir, 'name: Acme trial', 'name: Acme B');
        await step();
        expect(await name()).toBe('Acme B');
        edit(dir, 'name: Acme B', 'name: Acme trial');
        await step();
        expect(await name()).toBe('Acme trial');
      }
      const rows = await database.db
        .selectFrom('audit_log')
        .select('plan_digest')
        .where('project_id', '=', 'acme-trial')
        .where('path', '=', 'metadata.name')
        .execute();
      expect(rows).toHaveLength(8);
      expect(new Set(rows.map((r) => r.plan_digest)).size).toBe(8);
    });
  });
}

describe('apply FILE on the command line', () => {
  const database = useCliDatabase();
  const runCli = (args: string[], options: { cwd: string }) => runCliInProcess(args, { ...options, env: database.env });

  it('refuses a forged saved plan with exit 3 and names the project and setting', async () => {
    const cwd = tempDir('examples/startup');
    expect((await runCli(['apply', '--auto-approve'], { cwd })).code).toBe(0);
    const file = path.join(cwd, 'projects/acme-beta.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('status: TRIAL', 'status: TEST'));
    expect((await runCli(['plan', '--out', 'plan.json'], { cwd })).code).toBe(0);
    const plan = JSON.parse(readFileSync(path.join(cwd, 'plan.json'), 'utf8'));
    plan.changes[0].after = 'CLOSE';
    writeFileSync(path.join(cwd, 'forged.json'), JSON.stringify(plan));
    const r = await runCli(['apply', 'forged.json'], { cwd });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /project acme-trial spec\.status: after differs: the file has "CLOSE", recomputing gives "TEST"/,
    );
    expect(r.stdout).not.toMatch(/Applied/);
  });
});
