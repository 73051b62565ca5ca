// One pruning pass: for each project with pre-registration, mark tokens whose time window has
// passed as expired, delete expired tokens when the project says so, and when registrations reach
// the start threshold (a % of the 100,000 cap) delete `ratio` % of the tokens registered at that
// moment, in the chosen priority. Deletes run in short batches, each its own transaction, so no
// long lock is ever held over the table.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { oneCountedDeletionAtATime, pruneCounted } from './counted-deletion.js';
import { registeredCountSql, requireProject, retryOnDeadlock } from './token-store.js';
import { writeExpiredEvents } from './token-events.js';
import { TOKEN_CAP } from './token-id.js';

/** Rows per delete batch: each batch is its own short transaction (about 20-30 ms on PostgreSQL here). */
export const PRUNE_BATCH = 20_000;

export interface PrunePolicy {
  projectId: string;
  deleteOnExpiration: boolean;
  startThreshold: number | null;
  ratio: number | null;
  priority: 'oldest-first' | 'newest-first';
}

export interface ProjectPruneResult {
  projectId: string;
  expiredMarked: number;
  expiredDeleted: number;
  volumeDeleted: number;
  registeredBefore: number;
  registeredAfter: number;
  reason: string;
  durationMs: number;
  outcome: 'done' | 'abandoned';
}

export interface PruneOptions {
  now?: Date;
  dryRun?: boolean;
  projects?: readonly string[];
  /** The worker's tick, recorded with each run. */
  tick?: Date;
  /** Checked between batches (SIGTERM): stop early, record the pass as abandoned. */
  shouldStop?: () => boolean;
  batchSize?: number;
}

export async function readPolicies(db: Kysely<DatabaseSchema>, projects?: readonly string[]): Promise<PrunePolicy[]> {
  const rows = await db
    .selectFrom('projects')
    .select([
      'id',
      'token_delete_on_expiration',
      'token_volume_start_threshold',
      'token_volume_ratio',
      'token_volume_priority',
    ])
    .where('token_pre_registration', '=', true)
    .$if(Boolean(projects?.length), (q) => q.where('id', 'in', projects!))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    projectId: r.id,
    deleteOnExpiration: r.token_delete_on_expiration,
    startThreshold: r.token_volume_start_threshold,
    ratio: r.token_volume_ratio,
    priority: (r.token_volume_priority ?? 'oldest-first') as PrunePolicy['priority'],
  }));
}

async function registeredCount(db: Kysely<DatabaseSchema>, projectId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select ${registeredCountSql(projectId)} as n`.execute(db);
  return rows[0].n;
}

/**
 * Pruning is idempotent: a batch lost in a crash is simply done again by the next pass. So its
 * transactions do not wait for the WAL flush (asynchronous commit keeps the database consistent;
 * it can only lose the last moments of work), which makes many short batches cheap.
 */
async function pruneTransaction<T>(
  db: Kysely<DatabaseSchema>,
  work: (tx: Transaction<DatabaseSchema>) => Promise<T>,
): Promise<T> {
  return retryOnDeadlock(() =>
    db.transaction().execute(async (tx) => {
      await sql`set local synchronous_commit to off`.execute(tx);
      return work(tx);
    }),
  );
}

/**
 * Marks one batch of tokens whose window has passed and writes their events (when the project's
 * webhook is subscribed to token_expired); returns how many it marked.
 */
export async function markExpiredBatch(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  now: Date,
  limit: number,
): Promise<number> {
  return pruneTransaction(db, async (tx) => {
    const { rows } = await sql<{ token_id: string; expires_at: Date }>`
      with due as (
        select token_id from tokens
        where project_id = ${projectId} and expired_at is null and expires_at <= ${now}
        limit ${limit} for update skip locked)
      update tokens t set expired_at = t.expires_at from due
      where t.project_id = ${projectId} and t.token_id = due.token_id
      returning t.token_id, t.expires_at`.execute(tx);
    await writeExpiredEvents(
      tx,
      projectId,
      rows.map((r) => ({ tokenId: r.token_id, condition: 'time' as const, at: new Date(r.expires_at) })),
    );
    return rows.length;
  });
}

/**
 * Deletes one batch (expired tokens, or by priority) and keeps the counter right; returns how many
 * rows it picked and how many it deleted (fewer when other writers held or changed some).
 */
async function deleteBatch(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  which: 'expired' | PrunePolicy['priority'],
  limit: number,
): Promise<Batch> {
  return pruneTransaction(db, async (tx) => {
    await oneCountedDeletionAtATime(tx, projectId);
    const pick =
      which === 'expired'
        ? sql`select ctid from tokens where project_id = ${projectId} and expired_at is not null limit ${limit}`
        : which === 'oldest-first'
          ? sql`select ctid from tokens where project_id = ${projectId} order by registered_at, token_id limit ${limit}`
          : sql`select ctid from tokens where project_id = ${projectId} order by registered_at desc, token_id desc limit ${limit}`;
    // Outright first, waiting at most a few milliseconds for any lock: too short to be part of a
    // deadlock (PostgreSQL looks for one after a second of waiting). Should a row, the stripes or
    // the counter be held longer (an import overwriting those tokens), the batch skips the rows
    // other writers hold instead.
    await sql`savepoint outright`.execute(tx);
    try {
      await sql`set local lock_timeout = '5ms'`.execute(tx);
      return await pruneCounted(tx, projectId, pick, 'outright');
    } catch (err) {
      if ((err as { code?: string }).code !== '55P03') throw err;
      await sql`rollback to savepoint outright`.execute(tx);
      return pruneCounted(tx, projectId, pick, 'skip-locked');
    }
  });
}

interface Batch {
  picked: number;
  deleted: number;
}

/**
 * Runs batches until `want` are done, a batch picks fewer than it may (nothing left), nothing could
 * be done three batches in a row (rows held by other writers: the next pass takes them), or a
 * stop is asked for. A batch that did nothing is run again: the rows it picked were overwritten
 * (registered again) since, and the next pick sees them where they now belong.
 */
async function batches(
  run: (limit: number) => Promise<Batch>,
  batch: number,
  stop: () => boolean,
  want = Number.POSITIVE_INFINITY,
): Promise<number> {
  let total = 0;
  let idle = 0;
  while (total < want && !stop()) {
    const limit = Math.min(batch, want - total);
    const r = await run(limit);
    total += r.deleted;
    if (r.picked < limit) break;
    idle = r.deleted === 0 ? idle + 1 : 0;
    if (idle >= 3) break;
  }
  return total;
}

async function pruneProject(
  db: Kysely<DatabaseSchema>,
  policy: PrunePolicy,
  options: PruneOptions,
): Promise<ProjectPruneResult> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const batch = options.batchSize ?? PRUNE_BATCH;
  const stop = options.shouldStop ?? (() => false);
  const { projectId } = policy;
  const registeredBefore = await registeredCount(db, projectId);
  const result: ProjectPruneResult = {
    projectId,
    expiredMarked: 0,
    expiredDeleted: 0,
    volumeDeleted: 0,
    registeredBefore,
    registeredAfter: registeredBefore,
    reason: '',
    durationMs: 0,
    outcome: 'done',
  };
  const reasons: string[] = [];

  if (options.dryRun) {
    const { rows } = await sql<{ due: number; expired: number }>`
      select count(*) filter (where expired_at is null and expires_at <= ${now})::int as due,
             count(*) filter (where expired_at is not null or expires_at <= ${now})::int as expired
      from tokens where project_id = ${projectId}`.execute(db);
    result.expiredMarked = rows[0].due;
    if (policy.deleteOnExpiration) result.expiredDeleted = rows[0].expired;
  } else {
    result.expiredMarked = await batches(
      async (limit) => {
        const n = await markExpiredBatch(db, projectId, now, limit);
        return { picked: n, deleted: n };
      },
      batch,
      stop,
    );
    if (policy.deleteOnExpiration)
      result.expiredDeleted = await batches((limit) => deleteBatch(db, projectId, 'expired', limit), batch, stop);
  }
  if (result.expiredMarked) reasons.push(`${result.expiredMarked} expired (time window passed)`);
  if (result.expiredDeleted) reasons.push(`${result.expiredDeleted} deleted on expiration`);

  const afterExpiry = registeredBefore - result.expiredDeleted;
  if (policy.startThreshold !== null && policy.ratio !== null) {
    const threshold = Math.ceil((TOKEN_CAP * policy.startThreshold) / 100);
    if (afterExpiry >= threshold) {
      const target = Math.ceil((afterExpiry * policy.ratio) / 100);
      if (options.dryRun) result.volumeDeleted = target;
      else
        result.volumeDeleted = await batches(
          (limit) => deleteBatch(db, projectId, policy.priority, limit),
          batch,
          stop,
          target,
        );
      reasons.push(
        `${afterExpiry} registered ≥ start threshold ${policy.startThreshold}% (${threshold}): ${result.volumeDeleted} deleted (${policy.ratio}% of ${afterExpiry}, ${policy.priority})`,
      );
    }
  }
  result.registeredAfter = options.dryRun ? afterExpiry - result.volumeDeleted : await registeredCount(db, projectId);
  result.outcome = stop() ? 'abandoned' : 'done';
  result.reason = reasons.join('; ') || 'nothing to prune';
  result.durationMs = Math.round(performance.now() - started);
  return result;
}

export async function prunePass(db: Kysely<DatabaseSchema>, options: PruneOptions = {}): Promise<ProjectPruneResult[]> {
  for (const id of new Set(options.projects ?? [])) await requireProject(db, id);
  const results: ProjectPruneResult[] = [];
  for (const policy of await readPolicies(db, options.projects)) {
    if (options.shouldStop?.()) break;
    const startedAt = new Date();
    const r = await pruneProject(db, policy, options);
    results.push(r);
    if (!options.dryRun) {
      await db
        .insertInto('prune_runs')
        .values({
          tick: options.tick ?? null,
          project_id: r.projectId,
          started_at: startedAt,
          finished_at: new Date(),
          duration_ms: r.durationMs,
          expired_marked: r.expiredMarked,
          expired_deleted: r.expiredDeleted,
          volume_deleted: r.volumeDeleted,
          registered_before: r.registeredBefore,
          registered_after: r.registeredAfter,
          reason: r.reason,
          outcome: r.outcome,
        })
        .execute();
    }
  }
  return results;
}
