// A project id that exists nowhere is a mistake, not an empty result: `--project` on plan and
// apply, and the token commands, exit 1 naming the id instead of "No changes" or "0 registered".
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { prunePass } from '../../src/tokens/prune.js';
import { countTokens, deleteOldestTokens, deleteTokens, getToken, listTokens } from '../../src/tokens/token-store.js';
import { completeToken } from '../../src/tokens/token-use.js';
import { applyDir } from '../helpers/apply.js';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { DATABASE_TARGETS, useCliDatabase, useFreshDatabase } from '../helpers/databases.js';
import { snapshot } from '../helpers/snapshot.js';

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`token commands on an unknown project (${target.name})`, () => {
    const fresh = useFreshDatabase(target);
    let database: Database;
    beforeAll(async () => {
      database = fresh.database;
      await applyDir(database, 'examples/startup');
    });

    it('count, list, get, delete, complete and prune name the missing project; nothing is written', async () => {
      const before = await snapshot(database.db);
      const db = database.db;
      for (const call of [
        () => countTokens(db, 'no-such-project'),
        () => listTokens(db, 'no-such-project'),
        () => getToken(db, 'no-such-project', 'token-0001'),
        () => deleteTokens(db, 'no-such-project', ['token-0001']),
        () => deleteOldestTokens(db, 'no-such-project', 5),
        () => completeToken(db, 'no-such-project', 'token-0001'),
        () => prunePass(db, { projects: ['acme-beta', 'no-such-project'] }),
      ]) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toMatchObject({
          exitCode: 1,
          message: '[invalid_project] project "no-such-project" does not exist',
        });
      }
      expect(await snapshot(database.db)).toBe(before);
      expect(await countTokens(db, 'acme-beta')).toEqual({ registered: 0, expired: 0 }); // a known project still counts
    });
  });
}

describe('unknown ids on the command line', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = tempDir('examples/startup');
  });
  // In process, on an empty PostgreSQL database from the template (or the embedded default without a server).
  const database = useCliDatabase();
  const db: string[] = [];
  const runCli = (args: string[], options: { cwd: string }) => runCliInProcess(args, { ...options, env: database.env });

  it('plan --project and apply --project with an id in no manifest and not in the database exit 1', async () => {
    const plan = await runCli(['plan', '--project', 'acme-beta', '--project', 'acme-btea', ...db], { cwd });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(
      /(^|\n)error: unknown project "acme-btea": no manifest declares it and the database does not hold it\n/,
    );
    expect(plan.stdout).not.toMatch(/No changes/);
    const apply = await runCli(['apply', '--auto-approve', '--project', 'nope', ...db], { cwd });
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(/unknown project "nope"/);
  });

  it('tokens count on an unknown project exits 1', async () => {
    const r = await runCli(['tokens', 'count', 'nope', ...db], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/project "nope" does not exist/);
    expect(r.stdout).not.toMatch(/registered/);
  });
});
