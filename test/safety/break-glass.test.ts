// Emergency stop is break-glass: at once, outside git, audited; the next plan shows it as drift
// and apply will not lift it unless --allow emergency-resume.
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

describe('emergency stop and resume', () => {
  let cwd: string;
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

  it('stops at once, is audited, shows as drift, and apply does not lift it without --allow', async () => {
    const stop = await runCliInProcess(['emergency-stop', 'kbank-prod', '--reason', 'fraud wave from one ASN'], { cwd, env: { ARGOSCTL_ACTOR: 'alice' } });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/normal → emergency-stop \(audited\)/);

    const plan = await runCliInProcess(['plan', '--format', 'json'], { cwd });
    const change = JSON.parse(plan.stdout).changes.find((c: { path: string }) => c.path === 'spec.submissions');
    expect(change).toMatchObject({ before: 'emergency-stop', after: 'normal', risk: ['emergency-resume'] });
    expect(change.reason).toMatch(/drift: emergency stop set outside git by alice at .* \("fraud wave from one ASN"\)/);

    const refused = await runCliInProcess(['apply', '--auto-approve'], { cwd });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/"emergency-resume" needs --allow emergency-resume/);

    const allowed = await runCliInProcess(['apply', '--auto-approve', '--allow', 'emergency-resume'], { cwd });
    expect(allowed.code, allowed.stderr).toBe(0);

    const db = await PGlite.create(path.join(cwd, '.argos/db'));
    try {
      const audit = await db.query<{ action: string; actor: string; reason: string }>(`select action, actor, reason from audit_log where project_id = 'kbank-prod' and path = 'spec.submissions' order by id`);
      expect(audit.rows).toEqual([
        { action: 'emergency-stop', actor: 'alice', reason: 'fraud wave from one ASN' },
        expect.objectContaining({ action: 'update' }),
      ]);
    } finally {
      await db.close();
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
