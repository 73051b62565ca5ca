// The token store: register (the 100,000 cap enforced under a per-project counter lock), query,
// list with keyset paging, count, delete. Registering an existing ID overwrites it.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { TokenError } from './token-errors.js';
import { TOKEN_CAP, tokenIdProblem } from './token-id.js';

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export interface TokenRow {
  tokenId: string;
  registeredAt: string;
  firstUsedAt: string | null;
  expiresAt: string | null;
  expired: boolean;
  completed: boolean;
}

/** Rows per INSERT … SELECT unnest(…): large enough to be fast, small enough for short statements. */
const REGISTER_BATCH = 20_000;

/** Token commands name a project: one that does not exist is an error, not "0 registered". */
export async function requireProject(db: Db, projectId: string): Promise<void> {
  const project = await db.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst();
  if (!project) throw new TokenError('invalid_project', `project "${projectId}" does not exist`, 'check the project id, or apply its manifest first');
}

export async function requirePreRegistration(db: Db, projectId: string): Promise<void> {
  const project = await db.selectFrom('projects').select(['token_pre_registration']).where('id', '=', projectId).executeTakeFirst();
  if (!project) throw new TokenError('invalid_project', `project "${projectId}" does not exist`, 'apply its manifest first');
  if (!project.token_pre_registration) {
    throw new TokenError('invalid_project', `project "${projectId}" does not use token pre-registration`, 'set spec.liveform.tokens.preRegistration: true and apply');
  }
}

/** Locks the project's counter row (creating it) so registrations and deletions serialize per project. */
export async function lockCounter(tx: Transaction<DatabaseSchema>, projectId: string): Promise<number> {
  await tx.insertInto('token_counts').values({ project_id: projectId, registered: 0 }).onConflict((oc) => oc.column('project_id').doNothing()).execute();
  const row = await tx.selectFrom('token_counts').select('registered').where('project_id', '=', projectId).forUpdate().executeTakeFirstOrThrow();
  return row.registered;
}

export interface RegisterResult {
  added: number;
  overwritten: number;
  registered: number;
}

/** Registers all IDs or none. `onProgress` reports IDs written so far (for a progress bar). */
export async function registerTokens(db: Kysely<DatabaseSchema>, projectId: string, ids: readonly string[], onProgress?: (done: number) => void): Promise<RegisterResult> {
  const problems = ids.map((id) => tokenIdProblem(id)).filter((p): p is string => p !== undefined);
  if (problems.length) throw new TokenError('invalid_token_id_format', `${problems.length} invalid token ID(s); nothing registered: ${problems.slice(0, 3).join('; ')}`);
  const unique = [...new Set(ids)];
  return db.transaction().execute(async (tx) => {
    await requirePreRegistration(tx, projectId);
    const before = await lockCounter(tx, projectId);
    let added = 0;
    for (let i = 0; i < unique.length; i += REGISTER_BATCH) {
      const batch = unique.slice(i, i + REGISTER_BATCH);
      const { rows } = await sql<{ added: number }>`
        with incoming as (select unnest(cast(${toTextArray(batch)} as text[])) as token_id),
        written as (
          insert into tokens (project_id, token_id)
          select ${projectId}, token_id from incoming
          on conflict (project_id, token_id) do update
            set registered_at = now(), first_used_at = null, expires_at = null, expired_at = null, completed_at = null
          returning (xmax = 0) as inserted)
        select count(*) filter (where inserted)::int as added from written`.execute(tx);
      added += rows[0].added;
      if (before + added > TOKEN_CAP) {
        throw new TokenError('request_token_limit_exceeded', `registering would bring project "${projectId}" to ${before + added} tokens (at least); the cap is ${TOKEN_CAP.toLocaleString('en')}; nothing registered`, 'delete tokens first (argosctl tokens delete, or argosctl prune)');
      }
      onProgress?.(Math.min(unique.length, i + batch.length));
    }
    await tx.updateTable('token_counts').set({ registered: before + added }).where('project_id', '=', projectId).execute();
    return { added, overwritten: unique.length - added, registered: before + added };
  });
}

/** A PostgreSQL array literal, passed as text (pg and PGlite then agree on the encoding). */
function toTextArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`; // token IDs hold no quotes, commas, braces or spaces (checked above)
}

function toRow(r: { token_id: string; registered_at: Date | string; first_used_at: Date | null; expires_at: Date | null; expired_at: Date | null; completed_at: Date | null }, now: Date): TokenRow {
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  const expired = r.expired_at !== null || (r.expires_at !== null && new Date(r.expires_at) <= now);
  return { tokenId: r.token_id, registeredAt: iso(r.registered_at)!, firstUsedAt: iso(r.first_used_at), expiresAt: iso(r.expires_at), expired, completed: r.completed_at !== null };
}

export async function getToken(db: Db, projectId: string, tokenId: string, now = new Date()): Promise<TokenRow> {
  await requireProject(db, projectId);
  const r = await db.selectFrom('tokens').selectAll().where('project_id', '=', projectId).where('token_id', '=', tokenId).executeTakeFirst();
  if (!r) throw new TokenError('token_id_not_found', `token "${tokenId}" is not registered for project "${projectId}"`);
  return toRow(r, now);
}

export interface TokenPage {
  tokens: TokenRow[];
  /** Pass as `after` for the next page; absent on the last page. */
  next?: string;
}

/** Keyset paging in registration order (time, then id): stable while tokens come and go. */
export async function listTokens(db: Db, projectId: string, options: { limit?: number; after?: string; now?: Date } = {}): Promise<TokenPage> {
  await requireProject(db, projectId);
  const limit = Math.min(Math.max(options.limit ?? 10_000, 1), 10_000);
  let query = db.selectFrom('tokens').selectAll().where('project_id', '=', projectId);
  if (options.after) {
    const [time, id] = decodeCursor(options.after);
    // registered_at as text keeps its microseconds: a millisecond Date would skip or repeat rows.
    query = query.where(sql<boolean>`(registered_at, token_id) > (cast(${time} as timestamptz), ${id})`);
  }
  const rows = await query.select(sql<string>`registered_at::text`.as('registered_text')).orderBy('registered_at').orderBy('token_id').limit(limit + 1).execute();
  const now = options.now ?? new Date();
  const page = rows.slice(0, limit).map((r) => toRow(r, now));
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { tokens: page, ...(last ? { next: encodeCursor(last.registered_text, last.token_id) } : {}) };
}

function encodeCursor(time: string, id: string): string {
  return Buffer.from(JSON.stringify([time, id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const [time, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof time === 'string' && typeof id === 'string') return [time, id];
  } catch { /* fall through */ }
  throw new TokenError('invalid_payload', `"${cursor}" is not a page cursor`, 'pass the "next" value of the previous page');
}

export async function countTokens(db: Db, projectId: string): Promise<{ registered: number; expired: number }> {
  await requireProject(db, projectId);
  const { rows } = await sql<{ registered: number; expired: number }>`
    select count(*)::int as registered, count(*) filter (where expired_at is not null or expires_at <= now())::int as expired
    from tokens where project_id = ${projectId}`.execute(db);
  return rows[0];
}

/** Deletes the given IDs (all must exist, or none is deleted). */
export async function deleteTokens(db: Kysely<DatabaseSchema>, projectId: string, ids: readonly string[]): Promise<number> {
  if (ids.length > 500) throw new TokenError('invalid_payload', `${ids.length} IDs in one request; at most 500`, 'split the request, or use --oldest N');
  return db.transaction().execute(async (tx) => {
    await requireProject(tx, projectId);
    const count = await lockCounter(tx, projectId);
    const deleted = await tx.deleteFrom('tokens').where('project_id', '=', projectId).where('token_id', 'in', [...new Set(ids)]).returning('token_id').execute();
    const missing = [...new Set(ids)].filter((id) => !deleted.some((d) => d.token_id === id));
    if (missing.length) throw new TokenError('token_not_found', `not registered: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}; nothing deleted`);
    await tx.updateTable('token_counts').set({ registered: count - deleted.length }).where('project_id', '=', projectId).execute();
    return deleted.length;
  });
}

/** Time-based N deletion: the N oldest registrations (at most 5,000 per request). */
export async function deleteOldestTokens(db: Kysely<DatabaseSchema>, projectId: string, n: number): Promise<number> {
  if (!Number.isInteger(n) || n < 1 || n > 5000) throw new TokenError('invalid_payload', `--oldest ${n}: expected 1 to 5,000`);
  return db.transaction().execute(async (tx) => {
    await requireProject(tx, projectId);
    const count = await lockCounter(tx, projectId);
    const { rows } = await sql<{ n: number }>`
      with doomed as (select token_id from tokens where project_id = ${projectId} order by registered_at, token_id limit ${n}),
      gone as (delete from tokens t using doomed d where t.project_id = ${projectId} and t.token_id = d.token_id returning 1)
      select count(*)::int as n from gone`.execute(tx);
    await tx.updateTable('token_counts').set({ registered: count - rows[0].n }).where('project_id', '=', projectId).execute();
    return rows[0].n;
  });
}
