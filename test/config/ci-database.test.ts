// In CI, argosctl.yaml comes from the change under test (a fork's pull request may edit it), so it
// must not choose the database: there `database:` may only be env:NAME, and an empty variable (a
// secret the job does not get) is an error rather than a fall-through to what the file names.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

const ORG = 'apiVersion: argosctl/v1\nkind: Organization\n';

function repo(config: string): string {
  const root = tempDir('examples/startup');
  mkdirSync(path.join(root, '.git'));
  writeFileSync(path.join(root, 'argosctl.yaml'), `${ORG}${config}`);
  return root;
}

/** The error lines of stderr: one line says what is wrong (a hint line may follow). */
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error:'));

describe('CI: database: in argosctl.yaml', () => {
  for (const literal of ['pglite:.argos/pr-db', 'postgres://db.attacker.example:5432/argos', 'memory:']) {
    it(`a literal URL (${literal}) is refused with exit 1 in one line; outside CI it is used`, async () => {
      const root = repo(`database: '${literal}'\n`);
      for (const env of [{ CI: 'true' }, { CI: '1', ARGOS_DATABASE_URL: '' }]) {
        const r = await runCliInProcess(['plan'], { cwd: root, env });
        expect(r.code, r.stderr).toBe(1);
        expect(errorLines(r.stderr)).toHaveLength(1);
        expect(r.stderr).toMatch(
          /argosctl\.yaml:3:11: database: names a database directly; with CI set it may only be env:NAME/,
        );
        expect(r.stderr).not.toContain('attacker');
      }
      expect(existsSync(path.join(root, '.argos'))).toBe(false);
      if (literal === 'memory:') expect((await runCliInProcess(['plan'], { cwd: root, env: {} })).code).toBe(0);
    });
  }

  it('env:NAME with the variable set is used in CI', async () => {
    const root = repo('database: env:TEAM_DB\n');
    const r = await runCliInProcess(['plan'], { cwd: root, env: { CI: 'true', TEAM_DB: 'memory:' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/database: in-memory PGlite|database: .*TEAM_DB, named in argosctl\.yaml/);
  });

  it('env:NAME whose variable is empty or unset is an error, not the default or another source', async () => {
    const root = repo('database: env:TEAM_DB\n');
    for (const env of [{ CI: 'true', TEAM_DB: '' }, { CI: 'true' }]) {
      const r = await runCliInProcess(['plan'], { cwd: root, env });
      expect(r.code).toBe(1);
      expect(errorLines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(
        /argosctl\.yaml:3:11: database: env:TEAM_DB, and the environment variable TEAM_DB is not set/,
      );
    }
    expect(existsSync(path.join(root, '.argos'))).toBe(false);
  });

  it('an empty ARGOS_DATABASE_URL (the secret a fork does not get) does not fall through to the database the file names', async () => {
    const root = repo('database: env:PR_CHOSEN_DB\n');
    const r = await runCliInProcess(['plan'], {
      cwd: root,
      env: { CI: 'true', ARGOS_DATABASE_URL: '', PR_CHOSEN_DB: 'memory:' },
    });
    expect(r.code, r.stderr).toBe(1);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(
      /CI is set and ARGOS_DATABASE_URL is empty .*; the database named in argosctl\.yaml is not used instead/,
    );
    // Outside CI an empty variable still means "not set" (local shells), and the file's choice is used.
    const local = await runCliInProcess(['plan'], {
      cwd: root,
      env: { ARGOS_DATABASE_URL: '', PR_CHOSEN_DB: 'memory:' },
    });
    expect(local.code, local.stderr).toBe(0);
  });
});
