// Waiting for the apply lock is not silent: the waiting apply says on stderr (a pipe here, not a
// terminal) whom it waits for and for how long at most, then gives up with exit 3.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { APPLY_LOCK_KEY } from '../../src/apply/apply-lock.js';
import type { Database } from '../../src/db/connection.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

describe.skipIf(!postgres.available)('waiting for the apply lock on postgres', () => {
  const fresh = useFreshDatabase(postgres);
  let database: Database;
  let url: string;
  beforeAll(() => {
    ({ database, url } = fresh);
  });

  it('says "waiting for the lock held by …" while another session holds it, then exits 3', async () => {
    const cwd = tempDir('examples/startup');
    await database.db.transaction().execute(async (tx) => {
      await sql`select set_config('application_name', 'the-other-applier', true)`.execute(tx);
      await sql`select pg_advisory_xact_lock(${APPLY_LOCK_KEY})`.execute(tx);
      const r = await runCli(['apply', '--auto-approve', '--lock-timeout', '2s', '--database-url', url], { cwd });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(
        /^apply: waiting for the lock held by the-other-applier \(backend \d+.*\) \(up to [12] s more\)$/m,
      );
      expect(r.stderr).toMatch(/another apply holds the lock: the-other-applier/);
    });
  });
});
