// A saved plan is bound to the manifest folder it was made from: apply FILE reads the manifests
// the current configuration names and checks the folder the file records, never follows it. An
// honest plan of another folder swapped in for the reviewed one, or a file naming /etc or ../x,
// is refused with exit 3 and nothing is written.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { DATABASE_TARGETS, useSharedMemoryDatabase } from '../helpers/databases.js';

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`apply FILE reads the configured manifests, on ${target.name}`, () => {
    let cwd: string;
    let env: NodeJS.ProcessEnv;
    const run = (...args: string[]) => runCliInProcess(args, { cwd, env });
    const embedded = target.name === 'pglite' ? useSharedMemoryDatabase() : undefined;
    let releaseFresh: (() => void) | undefined;
    afterAll(() => releaseFresh?.());

    beforeAll(async () => {
      cwd = tempDir('examples/startup');
      // A PostgreSQL database of its own, dropped after the block without waiting (the run's teardown
      // drops it if the worker ends first, test/helpers/databases.ts).
      const fresh = embedded ? undefined : await target.fresh();
      releaseFresh = fresh?.release;
      env = { ARGOS_DATABASE_URL: embedded ? embedded.url : fresh!.url };
      expect((await run('apply', '--auto-approve')).code).toBe(0);
    });

    function editIn(folder: string, from: string, to: string): void {
      const file = path.join(cwd, folder, 'acme-beta.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(from, to));
    }

    it('refuses an honest plan of another folder (a copy plus an extra admin) swapped in for the reviewed one', async () => {
      editIn('projects', 'name: Acme beta', 'name: Acme beta 2');
      expect((await run('plan', '--out', 'reviewed.json')).code).toBe(0);
      expect(JSON.parse(readFileSync(path.join(cwd, 'reviewed.json'), 'utf8')).manifestDir).toBe('projects');
      // The attacker's folder: the same manifests plus an admin of their own, planned honestly.
      cpSync(path.join(cwd, 'projects'), path.join(cwd, 'other'), { recursive: true });
      editIn(
        'other',
        '    - email: cto@acme.example',
        '    - email: cto@acme.example\n    - email: owner@attacker.example',
      );
      expect((await run('plan', '--dir', 'other', '--out', 'other.json')).code).toBe(0);
      writeFileSync(path.join(cwd, 'reviewed.json'), readFileSync(path.join(cwd, 'other.json')));

      const r = await run('apply', 'reviewed.json');
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(
        /the plan was made from the manifest folder "other", but the current configuration names "projects"/,
      );
      expect(r.stdout).not.toMatch(/Applied/);
      // Had the admin been written, planning the reviewed folder would now remove it again.
      const after = await run('plan', '--format', 'json');
      expect(after.stdout).toMatch(/Acme beta 2/);
      expect(after.stdout).not.toMatch(/attacker/);
    });

    for (const [root, why] of [
      ['/etc', /manifestDir "\/etc" is an absolute path; it is refused/],
      ['../x', /manifestDir "\.\.\/x" is not a plain relative path/],
      ['projects/../../x', /is not a plain relative path/],
      ['C:\\x', /is an absolute path/],
    ] as const) {
      it(`refuses a plan file whose manifestDir is ${root} with exit 3`, async () => {
        expect((await run('plan', '--out', 'good.json')).code).toBe(0);
        const plan = JSON.parse(readFileSync(path.join(cwd, 'good.json'), 'utf8'));
        plan.manifestDir = root;
        writeFileSync(path.join(cwd, 'bad.json'), JSON.stringify(plan));
        const r = await run('apply', 'bad.json');
        expect(r.code, r.stderr).toBe(3);
        expect(r.stderr).toMatch(why);
        expect(r.stdout).not.toMatch(/Applied/);
      });
    }

    it('the genuine plan of the configured folder still applies', async () => {
      expect((await run('plan', '--out', 'genuine.json')).code).toBe(0);
      const r = await run('apply', 'genuine.json');
      expect(r.code, r.stderr).toBe(0);
    });
  });
}
