// Apply that issues secrets: without a master key it stops before saying it is writing; on the
// embedded database it says where it generated the key file; after, it names the next step
// (`keys reveal`), never a secret.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { tempDir } from '../helpers/cli.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { manifest } from '../helpers/service.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

function folder(): string {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'projects'));
  writeFileSync(
    path.join(dir, 'projects', 'vault.yaml'),
    manifest('vault', '  security:\n    apiKey: { rotation: 1 }\n'),
  );
  return dir;
}

describe('apply issuing secrets', () => {
  it('on the embedded database: the key file generated is named (mode 0600), then the next step', async () => {
    const dir = folder();
    const r = await runCliInProcess(['apply', '--auto-approve', '--database-url', 'pglite:.argos/db'], {
      cwd: dir,
      env: { ARGOS_MASTER_KEY: '' },
    });
    expect(r.code, r.stderr).toBe(0);
    const keyFile = path.join(dir, '.argos', 'db.master-key');
    expect(existsSync(keyFile)).toBe(true);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(r.stderr).toMatch(/apply: generated the master key file \S*db\.master-key \(mode 0600\)/);
    // said before writing, once
    expect(r.stderr.indexOf('generated the master key')).toBeLessThan(r.stderr.indexOf('apply: writing'));
    expect(r.stderr.match(/generated the master key/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/New secret material for "vault": reveal each key once with argosctl keys reveal/);
    const again = await runCliInProcess(['apply', '--auto-approve', '--database-url', 'pglite:.argos/db'], {
      cwd: dir,
      env: { ARGOS_MASTER_KEY: '' },
    });
    expect(again.stdout + again.stderr).not.toMatch(/generated the master key|New secret material/);
  });

  describe.skipIf(!postgres.available)('on postgres', () => {
    const fresh = useFreshDatabase(postgres);
    it('without a master key: refused before "writing", nothing written, exit 1 with the hint', async () => {
      const r = await runCliInProcess(['apply', '--auto-approve', '--database-url', fresh.url], {
        cwd: folder(),
        env: { ARGOS_MASTER_KEY: '' },
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error: secret material needs a master key, and none is configured/);
      expect(r.stderr).toMatch(/hint: set ARGOS_MASTER_KEY/);
      expect(r.stderr).not.toMatch(/apply: writing/);
      const rows = await fresh.database.db.selectFrom('projects').select('id').execute();
      expect(rows).toEqual([]);
    });
  });
});
