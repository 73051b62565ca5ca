// argosctl migrate: --check exit codes and listing, rewrites in place, a re-run changes nothing,
// a file that does not validate is named and nothing at all is written, argosctl.yaml keeps its
// own version, and a named file is the only one touched.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess as run } from '../helpers/cli-in-process.js';

function snapshot(dir: string): Map<string, string> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  return new Map(files.map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
}

describe('argosctl migrate', () => {
  it('--check exits 1 listing what would change and writes nothing; migrate rewrites; then both are no-ops', async () => {
    const dir = tempDir('examples/startup');
    const before = snapshot(dir);
    const check = await run(['migrate', '--check'], { cwd: dir });
    expect(check.code).toBe(1);
    expect(check.stdout).toBe('would migrate projects/acme-beta.yaml (2 document(s) to argosctl/v2)\n');
    expect(check.stderr).toMatch(/1 file\(s\) are not argosctl\/v2; run `argosctl migrate --to v2`/);
    expect(snapshot(dir)).toEqual(before);

    const migrate = await run(['migrate', '--to', 'v2'], { cwd: dir });
    expect(migrate.code, migrate.stderr).toBe(0);
    const after = snapshot(dir).get('projects/acme-beta.yaml')!;
    expect(after).toMatch(/^apiVersion: argosctl\/v2$/m);
    expect(after).not.toMatch(/argosctl\/v1|project\.v1\.json/);
    expect((await run(['validate'], { cwd: dir })).code).toBe(0);

    const again = await run(['migrate'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
    expect(snapshot(dir).get('projects/acme-beta.yaml')).toBe(after);
    expect((await run(['migrate', '--check'], { cwd: dir })).code).toBe(0);
  });

  it('refuses when a file does not validate: names it, writes nothing (not even the valid files)', async () => {
    const dir = tempDir('examples/startup');
    writeFileSync(
      path.join(dir, 'projects/broken.yaml'),
      'apiVersion: argosctl/v1\nkind: Project\nmetadata: { id: broken, name: B }\nspec:\n  status: LIVE\n',
    );
    const before = snapshot(dir);
    const r = await run(['migrate'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/projects\/broken\.yaml:5:11: error: .*LIVE/);
    expect(r.stderr).toMatch(/1 file\(s\) do not validate: projects\/broken\.yaml; nothing was migrated/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('leaves argosctl.yaml in its own version, and touches only the files named', async () => {
    const dir = tempDir('examples/global-platform');
    const before = snapshot(dir);
    const r = await run(['migrate', 'projects/projects/globex-eu.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('migrated projects/projects/globex-eu.yaml (1 document(s) to argosctl/v2)\n');
    const after = snapshot(dir);
    for (const [file, text] of before) {
      if (file.endsWith('globex-eu.yaml')) expect(after.get(file)).not.toBe(text);
      else expect(after.get(file), file).toBe(text);
    }
    expect(after.get('projects/argosctl.yaml')).toMatch(/apiVersion: argosctl\/v1/);
  });

  it('refuses a version it cannot migrate to', async () => {
    const dir = tempDir('examples/startup');
    const r = await run(['migrate', '--to', 'v1'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: --to 'v1' is not allowed; allowed: v2.\n");
  });

  it('notes a v1 project without method: it now accepts ECB and GCM, and what to write to keep GCM only', async () => {
    const dir = tempDir('examples/startup');
    writeFileSync(
      path.join(dir, 'projects/old-default.yaml'),
      'apiVersion: argosctl/v1\nkind: Project\nmetadata: { id: old-default, name: Old }\nspec:\n  status: CLOSE\n',
    );
    for (const args of [['migrate', '--check'], ['migrate']]) {
      const r = await run(args, { cwd: dir });
      const notes = r.stderr.split('\n').filter((l) => l.startsWith('note: '));
      expect(notes, r.stderr).toEqual([
        expect.stringMatching(
          /^note: projects\/old-default\.yaml: old-default does not write spec\.encryption\.method, so it accepts ECB and GCM .*the next plan adds ECB \(a guarded change\); to keep GCM only, write `encryption: \{ methods: \[GCM\] \}`$/,
        ),
      ]);
    }
    // The rewrite adds no methods: absent means both in v2 too.
    expect(readFileSync(path.join(dir, 'projects/old-default.yaml'), 'utf8')).toBe(
      'apiVersion: argosctl/v2\nkind: Project\nmetadata: { id: old-default, name: Old }\nspec:\n  status: CLOSE\n',
    );
  });
});
