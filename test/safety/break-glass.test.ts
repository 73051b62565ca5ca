// Emergency stop is break-glass: at once, outside git, audited; the next plan shows it as drift
// "changed outside git", and apply leaves it stopped (applying everything else) unless
// --allow emergency-resume.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess as runInProcess } from '../helpers/cli-in-process.js';
import { useSharedMemoryDatabase } from '../helpers/databases.js';

describe('emergency stop and resume', () => {
  let cwd: string;
  // The embedded engine, one instance held open for the block: the folder is not the point here.
  const embedded = useSharedMemoryDatabase();
  const runCliInProcess = (args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) =>
    runInProcess(args, { ...options, env: { ARGOS_DATABASE_URL: embedded.url, ...options.env } });
  beforeAll(async () => {
    cwd = tempDir('examples/bank');
    expect((await runCliInProcess(['apply', '--auto-approve'], { cwd })).code).toBe(0);
  });

  it('needs a reason', async () => {
    const r = await runCliInProcess(['emergency-stop', 'kbank-prod'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--reason/);
  });

  it('refuses an unknown project', async () => {
    const r = await runCliInProcess(['emergency-stop', 'nope', '--reason', 'x'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/project "nope" does not exist/);
  });

  it('stops at once, is audited, shows as drift; apply applies the rest and lifts it only with --allow', async () => {
    const stop = await runCliInProcess(['emergency-stop', 'kbank-prod', '--reason', 'fraud wave from one ASN'], {
      cwd,
      env: { ARGOSCTL_ACTOR: 'alice' },
    });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/normal → emergency-stop \(audited\)/);

    const plan = await runCliInProcess(['plan', '--format', 'json'], { cwd });
    const json = JSON.parse(plan.stdout);
    const change = json.changes.find((c: { path: string }) => c.path === 'spec.submissions');
    expect(change).toMatchObject({
      before: 'emergency-stop',
      after: 'normal',
      risk: ['emergency-resume'],
      outsideGit: { action: 'emergency-stop', actor: 'alice' },
    });
    expect(change.reason).toMatch(/drift: emergency stop set outside git by alice at .* \("fraud wave from one ASN"\)/);
    expect(json.refusals).toEqual([
      expect.objectContaining({ kind: 'break-glass', projectId: 'kbank-prod', path: 'spec.submissions' }),
    ]);

    // An unrelated change in another project goes through; the stopped project stays stopped.
    const file = path.join(cwd, 'projects/kbank-onboarding.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('name: KBank onboarding', 'name: KBank onboarding (renamed)'),
    );
    const applied = await runCliInProcess(['apply', '--auto-approve'], { cwd });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/Changed outside git: apply leaves these as they are/);
    expect(applied.stdout).toMatch(
      /kbank-prod spec\.submissions stays "emergency-stop": emergency stop set outside git by alice/,
    );
    expect(applied.stdout).toMatch(/Applied: 0 to create, 1 to update/);

    const allowed = await runCliInProcess(
      ['apply', '--auto-approve', '--allow', 'emergency-resume', '--format', 'json'],
      { cwd },
    );
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ applied: true, summary: { update: 1 }, changedOutsideGit: [] });

    const database = await openDatabase(embedded.url);
    try {
      const audit = await database.db
        .selectFrom('audit_log')
        .select(['project_id', 'action', 'actor', 'reason'])
        .where('action', '<>', 'create')
        .orderBy('id')
        .execute();
      expect(audit).toEqual([
        { project_id: 'kbank-prod', action: 'emergency-stop', actor: 'alice', reason: 'fraud wave from one ASN' },
        expect.objectContaining({ project_id: 'kbank-onboarding', action: 'update' }),
        expect.objectContaining({ project_id: 'kbank-prod', action: 'update' }),
      ]);
    } finally {
      await database.close();
    }
  });

  it('resume is break-glass too, and a second stop of a stopped project changes nothing', async () => {
    expect((await runCliInProcess(['emergency-stop', 'kbank-onboarding', '--reason', 'drill'], { cwd })).code).toBe(0);
    const again = await runCliInProcess(['emergency-stop', 'kbank-onboarding', '--reason', 'drill'], { cwd });
    expect(again.stdout).toMatch(/already emergency-stop; nothing changed/);
    const resume = await runCliInProcess(['emergency-resume', 'kbank-onboarding', '--reason', 'drill over'], { cwd });
    expect(resume.stdout).toMatch(/emergency-stop → normal/);
    expect((await runCliInProcess(['plan', '--detailed-exitcode'], { cwd })).code).toBe(0);
  });
});
