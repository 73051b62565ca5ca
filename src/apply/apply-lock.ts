// One applier at a time: a transaction-scoped PostgreSQL advisory lock, so a killed process
// releases it with its session. Works the same on PGlite (a single session anyway).
import { hostname } from 'node:os';
import { sql, type Kysely, type Transaction } from 'kysely';
import { LockError } from '../errors.js';
import type { DatabaseSchema } from '../db/schema.js';

/** An arbitrary constant naming argosctl's apply lock among advisory locks. */
export const APPLY_LOCK_KEY = 0x41524753; // "ARGS"

export interface LockOptions {
  /** How long to wait for the lock, in milliseconds; 0 fails at once. */
  timeoutMs: number;
  /** Who is applying (host, pid, commit), shown to whoever finds the lock taken. */
  holder?: string;
  /** Told once when the lock is taken by another applier, then every 10 s while waiting for it. */
  onWait?: (message: string) => void;
}

const WAIT_NOTICE_EVERY_MS = 10_000;

export function describeHolder(commit?: string): string {
  return `argosctl ${hostname()} pid ${process.pid}${commit ? ` commit ${commit.slice(0, 12)}` : ''}`;
}

async function holderDescription(db: Kysely<DatabaseSchema>): Promise<string> {
  try {
    const { rows } = await sql<{
      pid: number;
      application_name: string;
      client_addr: string | null;
      xact_start: Date | null;
    }>`
      select a.pid, a.application_name, a.client_addr::text as client_addr, a.xact_start
      from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.objid = ${APPLY_LOCK_KEY} and l.granted
        and l.database = (select oid from pg_database where datname = current_database()) limit 1`.execute(db);
    const h = rows[0];
    if (!h) return 'another applier';
    return `${h.application_name || 'a session'} (backend ${h.pid}${h.client_addr ? ` from ${h.client_addr}` : ''}${h.xact_start ? `, since ${new Date(h.xact_start).toISOString()}` : ''})`;
  } catch {
    return 'another applier';
  }
}

export async function takeApplyLock(
  tx: Transaction<DatabaseSchema>,
  db: Kysely<DatabaseSchema>,
  options: LockOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  // Visible to other sessions in pg_stat_activity while this transaction lives (63 chars max).
  if (options.holder)
    await sql`select set_config('application_name', ${options.holder.slice(0, 63)}, true)`.execute(tx);
  let nextNotice = 0;
  for (;;) {
    const { rows } = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${APPLY_LOCK_KEY}) as ok`.execute(tx);
    if (rows[0]?.ok) return;
    if (options.onWait && Date.now() < deadline && Date.now() >= nextNotice) {
      const first = nextNotice === 0;
      nextNotice = Date.now() + WAIT_NOTICE_EVERY_MS;
      options.onWait(
        `${first ? 'waiting' : 'still waiting'} for the lock held by ${await holderDescription(db)} ` +
          `(up to ${Math.ceil((deadline - Date.now()) / 1000)} s more)`,
      );
    }
    if (Date.now() >= deadline) {
      throw new LockError(
        `another apply holds the lock: ${await holderDescription(db)}`,
        options.timeoutMs
          ? 'it did not finish within --lock-timeout; try again later'
          : 'wait for it, or pass --lock-timeout 2m to wait',
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(250, Math.max(10, deadline - Date.now()))));
  }
}
