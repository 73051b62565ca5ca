// The result of one `argosctl drift` run as the dashboard's overview shows it: which projects differ
// (and in how many settings), which exist only in the database. Appended, never updated, so the
// read-only plan role needs INSERT alone; a role that may not write (or a read-only transaction)
// leaves the run unrecorded and says so, it never fails the drift check itself.
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import type { DriftItem } from './classify-drift.js';

export interface DriftCheck {
  drifted: Record<string, number>;
  unmanaged: string[];
}

/** Counts the differing settings per project. Pure. */
export function driftCheckOf(items: readonly DriftItem[], unmanaged: readonly string[]): DriftCheck {
  const drifted: Record<string, number> = {};
  for (const item of items) drifted[item.projectId] = (drifted[item.projectId] ?? 0) + 1;
  return { drifted, unmanaged: [...unmanaged].sort() };
}

/** PostgreSQL's codes for "this role may not" and "this transaction is read-only". */
const CANNOT_WRITE = new Set(['42501', '25006']);

export async function recordDriftCheck(
  db: Kysely<DatabaseSchema>,
  check: DriftCheck,
): Promise<{ recorded: true } | { recorded: false; reason: string }> {
  try {
    await db
      .insertInto('drift_checks')
      .values({ drifted: JSON.stringify(check.drifted), unmanaged: check.unmanaged })
      .execute();
    return { recorded: true };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && CANNOT_WRITE.has(code))
      return { recorded: false, reason: code === '25006' ? 'the transaction is read-only' : 'the role may not insert' };
    throw error;
  }
}
