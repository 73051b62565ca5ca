// The plan shows values as the manifest writes them and marks what nobody wrote: a duration as
// `36h` (not 129600), an API key's unwritten previousKeyValidFor as `24h (default)` (not 86400),
// an unwritten expiration mode as `"none" (default)`; the JSON plan carries the same marks. A
// plan from a folder that differs from its commit says so and records it.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { useCliDatabase } from '../helpers/databases.js';

describe('plan values as written', () => {
  let cwd: string;
  const database = useCliDatabase();
  const run = (args: string[]) => runCliInProcess(args, { cwd, env: database.env });
  beforeAll(() => {
    cwd = tempDir('examples/bank');
    const file = path.join(cwd, 'projects/kbank-onboarding.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace('after: 24h', 'after: 36h')
        .replace(
          '    privacyProtection: true\n    secureTransmission: { enabled: true, publicKey: keys/kbank.pub.pem }\n    ipWhitelist:\n      dashboard: [10.0.0.0/8]\n      api: [203.0.113.7]\n',
          (m) => `${m}    apiKey: { rotation: 1 }\n`,
        ),
    );
    for (const args of [
      ['init', '-q'],
      ['add', '-A'],
      ['-c', 'user.name=T', '-c', 'user.email=t@x.example', 'commit', '-qm', 'x'],
    ])
      execFileSync('git', args, { cwd });
  });

  it('text: 36h as written, 24h (default) for the unwritten previousKeyValidFor, no seconds', async () => {
    const r = await run(['plan']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/spec\.liveform\.tokens\.expiration\.after: 36h\n/);
    expect(r.stdout).toMatch(/spec\.security\.apiKey\.previousKeyValidFor: 24h {2}\(default\)/);
    expect(r.stdout).toMatch(/spec\.liveform\.tokens\.expiration\.mode: "none" {2}\(default\)/);
    expect(r.stdout).not.toMatch(/\b(86400|129600)\b/);
    expect(r.stderr).not.toMatch(/differs from commit/);
  });

  it('JSON: written and default marks on the created settings; git.dirty false on a clean checkout', async () => {
    const plan = JSON.parse((await run(['plan', '--format', 'json'])).stdout);
    const settings = (id: string) => plan.changes.find((c: { projectId: string }) => c.projectId === id).settings;
    expect(settings('kbank-onboarding')).toContainEqual({
      path: 'spec.liveform.tokens.expiration.after',
      value: 129600,
      written: '36h',
    });
    expect(settings('kbank-prod')).toContainEqual({
      path: 'spec.security.apiKey.previousKeyValidFor',
      value: 86400,
      default: true,
      written: '24h',
    });
    expect(settings('kbank-prod')).toContainEqual({ path: 'spec.security.apiKey.rotation', value: 1 });
    expect(plan.git.dirty).toBe(false);
  });

  it('an untracked manifest makes the plan dirty: recorded with its digest and said on stderr', async () => {
    writeFileSync(
      path.join(cwd, 'projects/extra.yaml'),
      readFileSync(path.join(cwd, 'projects/kbank-onboarding.yaml'), 'utf8')
        .split('---')[0]
        .replace(/kbank-onboarding/g, 'kbank-extra'),
    );
    const r = await run(['plan', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).git).toMatchObject({
      dirty: true,
      dirtyFiles: [{ path: 'projects/extra.yaml', status: '??', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }],
    });
    expect(r.stderr).toMatch(/note: the manifest folder differs from commit [0-9a-f]{7} \(1 file\(s\)\)/);
  });
});
