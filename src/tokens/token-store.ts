// The token store: register (the 100,000 cap enforced under a per-project counter lock), query,
// list with keyset paging, count, delete. Registering an existing ID overwrites it.
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { TokenError } from './token-errors.js';
import { TOKEN_CAP, tokenIdProblem } from './token-id.js';
import { isoFromEpochMs } from '../util/iso-time.js';
import { deleteOldestCounted, foldDeletions, oneCountedDeletionAtATime } from './counted-deletion.js';

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

/**
 * Columns of the project row (aliased `p`) that a caller reads in the read's own statement, and its
 * check of them, run before anything is answered: the Token API's authorization folded into the
 * route's one round trip. `row` is undefined when the project does not exist. Without a gate (the
 * CLI), a project that does not exist is invalid_project.
 */
export interface ProjectGate {
  columns: RawBuilder<unknown>;
  check(row: unknown): void;
}

const NO_GATE: ProjectGate = { columns: sql`true as project_found`, check: () => {} };

/**
 * A gate a write statement applies itself, so authorization and the write take one round trip (not
 * a read, then the write): the statement writes only where `granted` (SQL over the project aliased
 * `p`, the twin of `check`) holds, and returns it as `granted` beside the gate's columns. `check` on
 * the returned row still decides the answer and its code (passWriteGate).
 */
export interface WriteGate extends ProjectGate {
  granted: RawBuilder<boolean>;
}

/**
 * A write gate's check on the row its statement returned (undefined: no such project). The statement
 * wrote only where `granted` held, so the two must agree; a write the check refuses, or a caller it
 * passes that the statement refused, is a bug in one of them and answers as an internal error.
 */
export function passWriteGate(gate: WriteGate, row: { granted: boolean | null } | undefined): void {
  try {
    gate.check(row);
  } catch (err) {
    if (row?.granted) throw new Error(`authorization disagreed: a write was granted to a caller refused as ${err}`);
    throw err;
  }
  if (!row?.granted) throw new Error('authorization disagreed: a caller the check passed was refused the write');
}

/** The gate's check, then the project's existence. */
function passGate<R>(gate: ProjectGate | undefined, row: R | undefined, projectId: string): R {
  (gate ?? NO_GATE).check(row);
  if (!row) throw missingProject(projectId);
  return row;
}

export interface TokenRow {
  tokenId: string;
  registeredAt: string;
  firstUsedAt: string | null;
  expiresAt: string | null;
  expired: boolean;
  completed: boolean;
}

/** The public Token API's limits; the CLI and the HTTP routes both go through the functions below. */
export const REGISTER_LIMIT = 500;
export const DELETE_LIMIT = 500;
export const DELETE_OLDEST_LIMIT = 5_000;
export const PAGE_LIMIT = 10_000;

/** Rows per INSERT … SELECT unnest(…): large enough to be fast, small enough for short statements. */
const REGISTER_BATCH = 20_000;

/** Token commands name a project: one that does not exist is an error, not "0 registered". */
function missingProject(projectId: string): TokenError {
  return new TokenError(
    'invalid_project',
    `project "${projectId}" does not exist`,
    'check the project id, or apply its manifest first',
  );
}

export async function requireProject(db: Db, projectId: string): Promise<void> {
  const project = await db.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst();
  if (!project) throw missingProject(projectId);
}

/**
 * A token write (register, import, delete) needs the project to exist and not be CLOSE: a closed
 * project's features are inactive. Both faces (CLI and Token API) reach this through the functions
 * below, so they refuse alike.
 */
export async function requireWritableProject(db: Db, projectId: string): Promise<void> {
  const project = await db.selectFrom('projects').select('status').where('id', '=', projectId).executeTakeFirst();
  if (!project)
    throw new TokenError(
      'invalid_project',
      `project "${projectId}" does not exist`,
      'check the project id, or apply its manifest first',
    );
  if (project.status === 'CLOSE') throw closedError(projectId);
}

function closedError(projectId: string): TokenError {
  return new TokenError(
    'project_closed',
    `project "${projectId}" is closed (CLOSE); token writes are refused`,
    'set spec.status to TEST or OPEN and apply, if the project is to take tokens again',
  );
}

export async function requirePreRegistration(db: Db, projectId: string): Promise<void> {
  const project = await db
    .selectFrom('projects')
    .select(['token_pre_registration'])
    .where('id', '=', projectId)
    .executeTakeFirst();
  if (!project)
    throw new TokenError('invalid_project', `project "${projectId}" does not exist`, 'apply its manifest first');
  if (!project.token_pre_registration) {
    throw new TokenError(
      'invalid_project',
      `project "${projectId}" does not use token pre-registration`,
      'set spec.liveform.tokens.preRegistration: true and apply',
    );
  }
}

/**
 * The registered count of a project, exactly: its counter less the deletions striped beside it
 * (token_deleted_counts, migration 016) that no writer has folded into it yet.
 */
export function registeredCountSql(projectId: string): RawBuilder<number> {
  return sql<number>`(coalesce((select registered from token_counts where project_id = ${projectId}), 0)
    - coalesce((select sum(deleted) from token_deleted_counts where project_id = ${projectId}), 0))::int`;
}

/**
 * The worker's fold, each tick: every project's deletion stripes into its counter, one short
 * statement per project, so a project that only ever deletes by ID keeps at most a tick's worth
 * of stripes (the dashboard sums them on each page). Returns how many projects it folded.
 */
export async function foldAllDeletions(db: Db, shouldStop: () => boolean = () => false): Promise<number> {
  const { rows } = await sql<{ project_id: string }>`
    select distinct project_id from token_deleted_counts order by project_id`.execute(db);
  let folded = 0;
  for (const { project_id } of rows) {
    if (shouldStop()) break;
    await retryOnDeadlock(() => foldDeletions(db, project_id));
    folded++;
  }
  return folded;
}

export interface RegisterResult {
  added: number;
  overwritten: number;
  registered: number;
}

/** One register request of the Token API: 1 to 500 IDs, all registered or none. */
export async function registerTokenRequest(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  ids: readonly string[],
): Promise<RegisterResult> {
  if (ids.length === 0 || ids.length > REGISTER_LIMIT) {
    throw new TokenError(
      'invalid_payload',
      `${ids.length} IDs in one request; 1 to ${REGISTER_LIMIT} are allowed`,
      'split the IDs into requests of at most 500, or use argosctl tokens import FILE',
    );
  }
  return registerTokens(db, projectId, ids);
}

/**
 * Registers all IDs or none (bulk: import uses it directly). `onProgress` reports IDs written so far.
 *
 * Each chunk is ONE statement: check the project, insert or overwrite the rows, and in the last
 * chunk fold the deletion stripes and add every chunk's new rows to the project's counter, whose
 * CHECK (0 to 100,000) fails the statement, and so the request, when the cap would pass. Rows
 * first, the counter last (counted-deletion.ts gives the order): batches insert their rows side by
 * side and only the counter update and the commit take turns, and an import of several chunks
 * never holds the counter while it waits on a row. IDs go in sorted so that two requests
 * overwriting the same IDs lock them in the same order. A request of one chunk (every API request)
 * needs no transaction around it.
 */
export async function registerTokens(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  ids: readonly string[],
  onProgress?: (done: number) => void,
): Promise<RegisterResult> {
  const problems = ids.map((id) => tokenIdProblem(id)).filter((p): p is string => p !== undefined);
  if (problems.length)
    throw new TokenError(
      'invalid_token_id_format',
      `${problems.length} invalid token ID(s); nothing registered: ${problems.slice(0, 3).join('; ')}`,
    );
  const unique = [...new Set(ids)].sort();
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += REGISTER_BATCH) chunks.push(unique.slice(i, i + REGISTER_BATCH));
  const run = async (exec: Db) => {
    let added = 0;
    let registered = 0;
    let done = 0;
    for (const [i, chunk] of chunks.entries()) {
      const last = i === chunks.length - 1;
      const r = await registerChunk(exec, projectId, chunk, last ? { carried: added } : undefined);
      added += r.added;
      registered = r.registered;
      onProgress?.((done += chunk.length));
    }
    return { added, overwritten: unique.length - added, registered };
  };
  // A project deleted while its tokens are written: the rows' foreign key refuses them.
  const attempt = () =>
    retryOnDeadlock(() => (chunks.length === 1 ? run(db) : db.transaction().execute(run))).catch((err: unknown) => {
      if ((err as { code?: string }).code === '23503') throw missingProject(projectId);
      throw err;
    });
  const registeredNow = async () =>
    (await sql<{ registered: number }>`select ${registeredCountSql(projectId)} as registered`.execute(db)).rows[0]
      ?.registered ?? 0;
  try {
    return await attempt();
  } catch (err) {
    if (!isCapViolation(err)) throw err;
  }
  // A deletion that committed while the registration waited, into a stripe the registration's
  // statement could not see yet, is counted out only afterwards: the refusal was stricter than the
  // cap. When the IDs fit now, register them (once: a second refusal stands).
  let registered = await registeredNow();
  if (registered + unique.length <= TOKEN_CAP) {
    try {
      return await attempt();
    } catch (err) {
      if (!isCapViolation(err)) throw err;
      registered = await registeredNow();
    }
  }
  const n = (v: number) => v.toLocaleString('en');
  throw new TokenError(
    'request_token_limit_exceeded',
    `project "${projectId}" holds ${n(registered)} tokens; registering these ${n(unique.length)} IDs ` +
      `would pass the cap of ${n(TOKEN_CAP)}; nothing registered`,
    'delete tokens first (argosctl tokens delete, or argosctl prune)',
  );
}

/**
 * Inserts or overwrites one chunk's rows. With `count`, also folds the deletion stripes and adds
 * this chunk's new rows and `count.carried` (the earlier chunks' new rows) to the counter.
 */
async function registerChunk(
  db: Db,
  projectId: string,
  ids: readonly string[],
  count?: { carried: number },
): Promise<{ added: number; registered: number }> {
  // `pre` is true only for a project that pre-registers tokens and is not CLOSE: nothing is written otherwise.
  const counting = count
    ? sql`,
    folded as (
      delete from token_deleted_counts where project_id = ${projectId} and (select pre from project)
        and (select count(*) from written) >= 0
      returning deleted),
    counted as (
      insert into token_counts as c (project_id, registered)
      select ${projectId}, ${count.carried}::int + count(*) filter (where inserted) from written
      having (select pre from project)
      on conflict (project_id) do update
        set registered = c.registered + excluded.registered - (select coalesce(sum(deleted), 0) from folded)
      returning c.registered)`
    : sql``;
  const { rows } = await sql<{ pre: boolean | null; closed: boolean | null; added: number; registered: number }>`
    with project as (select token_pre_registration and status <> 'CLOSE' as pre, status = 'CLOSE' as closed
                     from projects where id = ${projectId}),
    written as (
      insert into tokens (project_id, token_id)
      select ${projectId}, token_id from unnest(cast(${toTextArray(ids)} as text[])) as incoming(token_id)
      where (select pre from project)
      on conflict (project_id, token_id) do update
        set registered_at = now(), first_used_at = null, expires_at = null, expired_at = null, completed_at = null
      returning (xmax = 0) as inserted)${counting}
    select (select pre from project) as pre, (select closed from project) as closed,
           (select count(*) filter (where inserted) from written)::int as added,
           -- the stripes are read before the counter: ON CONFLICT locks the counter row before its SET
           ${count ? sql`(select count(*) from folded) as folded, (select registered from counted)` : sql`null::int`} as registered`.execute(
    db,
  );
  const r = rows[0];
  if (r.pre === null) {
    throw new TokenError('invalid_project', `project "${projectId}" does not exist`, 'apply its manifest first');
  }
  if (r.closed) throw closedError(projectId);
  if (!r.pre) {
    throw new TokenError(
      'invalid_project',
      `project "${projectId}" does not use token pre-registration`,
      'set spec.liveform.tokens.preRegistration: true and apply',
    );
  }
  return { added: r.added, registered: r.registered };
}

/** The counter's CHECK (token_cap) refused the new count. */
function isCapViolation(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  return e.code === '23514' && (e.constraint === 'token_cap' || /token_cap/.test(e.message ?? ''));
}

/**
 * Writers of a project's tokens take their locks in one order (counted-deletion.ts): rows, then
 * the deletion stripes, then the counter. Should a circle still form (a hand-written statement, two
 * connections sharing an expired-count stripe), PostgreSQL cancels one (40P01) after
 * deadlock_timeout, and that one, which wrote nothing, runs again, up to 3 times.
 */
export async function retryOnDeadlock<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if ((err as { code?: string }).code !== '40P01' || attempt >= 3) throw err;
    }
  }
}

/** A PostgreSQL array literal, passed as text (pg and PGlite then agree on the encoding). */
function toTextArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`; // token IDs hold no quotes, commas, braces or spaces (checked above)
}

/**
 * A token as the read routes select it: times as epoch milliseconds (a float8 the driver reads as
 * a number, where a timestamptz is parsed from text into a Date: most of the list route's CPU),
 * and the two markers only as whether they are set.
 */
interface TokenRecord {
  token_id: string;
  registered_ms: number;
  first_used_ms: number | null;
  expires_ms: number | null;
  marked: boolean;
  done: boolean;
}

/** The columns of TokenRecord, from the tokens row aliased `t`. */
const TOKEN_COLUMNS = sql`t.token_id, (extract(epoch from t.registered_at) * 1000)::float8 as registered_ms,
  (extract(epoch from t.first_used_at) * 1000)::float8 as first_used_ms,
  (extract(epoch from t.expires_at) * 1000)::float8 as expires_ms,
  t.expired_at is not null as marked, t.completed_at is not null as done`;

function toRow(r: TokenRecord, now: Date): TokenRow {
  const iso = (ms: number | null) => (ms === null ? null : isoFromEpochMs(ms));
  return {
    tokenId: r.token_id,
    registeredAt: iso(r.registered_ms)!,
    firstUsedAt: iso(r.first_used_ms),
    expiresAt: iso(r.expires_ms),
    expired: r.marked || (r.expires_ms !== null && r.expires_ms <= now.getTime()),
    completed: r.done,
  };
}

export async function getToken(
  db: Db,
  projectId: string,
  tokenId: string,
  now = new Date(),
  gate?: ProjectGate,
): Promise<TokenRow> {
  const problem = tokenIdProblem(tokenId);
  // The project, the gate's columns and the token in one round trip (a project without the token
  // gives one row of nulls). A malformed ID is refused after the gate, as a well-formed one would be.
  const { rows } = await sql<TokenRecord & { token_id: string | null }>`
    select ${(gate ?? NO_GATE).columns}, ${TOKEN_COLUMNS}
    from projects p left join tokens t on t.project_id = p.id and t.token_id = cast(${problem ? null : tokenId} as text)
    where p.id = ${projectId}`.execute(db);
  const found = passGate(gate, rows[0], projectId);
  if (problem) throw new TokenError('invalid_token_id', problem);
  if (found.token_id === null)
    throw new TokenError('token_id_not_found', `token "${tokenId}" is not registered for project "${projectId}"`);
  return toRow(found, now);
}

export interface TokenPage {
  tokens: TokenRow[];
  /** Pass as `after` for the next page; absent on the last page. */
  next?: string;
}

/** Keyset paging in registration order (time, then id): stable while tokens come and go. One statement. */
export async function listTokens(
  db: Db,
  projectId: string,
  options: { limit?: number; after?: string; now?: Date } = {},
  /** With `granted` (a WriteGate), the page is built only where it holds. */
  gate?: ProjectGate | WriteGate,
): Promise<TokenPage> {
  const limit = options.limit ?? PAGE_LIMIT;
  let problem: TokenError | undefined;
  let after: [string, string] | undefined;
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMIT)
    problem = new TokenError('invalid_payload', `page size ${limit}: expected 1 to ${PAGE_LIMIT.toLocaleString('en')}`);
  else if (options.after) {
    try {
      after = decodeCursor(options.after);
    } catch (err) {
      problem = err as TokenError;
    }
  }
  const columns = (gate ?? NO_GATE).columns;
  // A bad request is refused after the gate, as a well-formed one would be (an unknown caller learns nothing more).
  const refuseAfterGate = async (refusal: TokenError): Promise<never> => {
    const { rows } = await sql`select ${columns} from projects p where p.id = ${projectId}`.execute(db);
    passGate(gate, rows[0], projectId);
    throw refusal;
  };
  if (problem) return refuseAfterGate(problem);
  // registered_at as text keeps its microseconds: a millisecond Date would skip or repeat rows.
  // One row: the project (and the gate's columns) with its page as one JSON array of arrays. Rows
  // of the page joined to the project's row carried the gate's columns (the keys as JSON, the
  // ranges as an array) on each of them, parsed again per row, with each row's own columns: most
  // of the route's CPU. One JSON.parse of the page costs a fraction of that.
  const from = after ? sql`and (t.registered_at, t.token_id) > (cast(${after[0]} as timestamptz), ${after[1]})` : sql``;
  // The page's rows are bounded twice: by a written-out bound (the page size rounded up to one of a
  // few) and by the page size itself. PostgreSQL prices a plan whose LIMIT is a parameter at a tenth
  // of the rows it may find (10,000 in a full project), so with `limit $n` alone it planned the
  // statement afresh at every request, planning being most of its cost. Against a written-out bound
  // the shared plan looks no dearer and is kept, one per connection; the inner scan still stops at
  // the page size.
  const granted = gate && 'granted' in gate ? gate.granted : undefined;
  const statement = sql<{ page: PageEntry[] | null; granted?: boolean | null }>`
    select ${columns}, ${granted ? sql`${granted} as granted,` : sql``}
      case when ${granted ?? sql`true`} then (select json_agg(json_build_array(t.token_id, t.registered_ms, t.first_used_ms, t.expires_ms, t.marked, t.done,
                                        t.registered_text) order by t.registered_at, t.token_id)
       from (select * from (select ${TOKEN_COLUMNS}, t.registered_at, t.registered_at::text as registered_text
                            from tokens t where t.project_id = ${projectId} ${from}
                            order by t.registered_at, t.token_id limit ${sql.lit(pageBound(limit + 1))}) t
             order by t.registered_at, t.token_id limit ${limit + 1}) t) end as page
    from projects p where p.id = ${projectId}`;
  let rows: { page: PageEntry[] | null; granted?: boolean | null }[];
  try {
    ({ rows } = await statement.execute(db));
  } catch (err) {
    // A forged cursor whose time PostgreSQL does not read ('garbage', '2020-13-45', an unknown zone)
    // fails the statement before the gate was checked (an unknown caller gets its 401, not a 500).
    if (!after || !isDataException(err)) throw err;
    return refuseAfterGate(notACursor(options.after!));
  }
  // The check runs once: it notes the caller's key (traffic facts) and may seal the answer.
  if (granted) passWriteGate(gate as WriteGate, rows[0] as { granted: boolean | null } | undefined);
  else passGate(gate, rows[0], projectId);
  const found = rows[0].page ?? [];
  const now = options.now ?? new Date();
  const page = found.slice(0, limit).map((e) => toRow(recordOf(e), now));
  const last = found.length > limit ? found[limit - 1] : undefined;
  return { tokens: page, ...(last ? { next: encodeCursor(last[6], last[0]) } : {}) };
}

/** The written-out bounds of a page's rows (a page and the row past it): a few statement texts, not one per size. */
const PAGE_BOUNDS = [11, 21, 51, 101, 201, 501, 1_001, 2_001, 5_001, PAGE_LIMIT + 1];

function pageBound(rows: number): number {
  return PAGE_BOUNDS.find((bound) => bound >= rows) ?? PAGE_LIMIT + 1;
}

/** A token of a page as listTokens selects it: TokenRecord's columns in order, then registered_at as text. */
type PageEntry = [string, number, number | null, number | null, boolean, boolean, string];

const recordOf = ([token_id, registered_ms, first_used_ms, expires_ms, marked, done]: PageEntry): TokenRecord => ({
  token_id,
  registered_ms,
  first_used_ms,
  expires_ms,
  marked,
  done,
});

function encodeCursor(time: string, id: string): string {
  return Buffer.from(JSON.stringify([time, id])).toString('base64url');
}

/**
 * A cursor as encodeCursor wrote it: a time and a token ID (well-formed, as every registered one is).
 * A time PostgreSQL cannot read is found only by the statement (listTokens catches it there).
 */
function decodeCursor(cursor: string): [string, string] {
  try {
    const [time, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof time === 'string' && !time.includes('\u0000') && typeof id === 'string' && !tokenIdProblem(id))
      return [time, id];
  } catch {
    /* fall through */
  }
  throw notACursor(cursor);
}

function notACursor(cursor: string): TokenError {
  return new TokenError(
    'invalid_payload',
    `"${cursor}" is not a page cursor`,
    'pass the "next" value of the previous page',
  );
}

/** PostgreSQL refused a value (SQLSTATE class 22: a time it cannot read, a byte it cannot take). */
function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('22');
}

/**
 * The project's counts in one statement: registered from its counter row (kept by every path that
 * adds or removes tokens), expired as the tokens marked expired, from their counter's stripes
 * (token_expired_counts, kept by triggers on tokens, migration 015), plus those past their expiry
 * that nobody marked yet, from the partial index tokens_expiring (only the due entries: the worker
 * marks them within seconds). Never a scan of the project's tokens: a count(*) over 100,000 of them
 * cost 11-12 ms of database CPU a request, and counting the partial index of the marked ones grew
 * with them (4.8 ms at 40,000).
 */
export function countTokensStatement(projectId: string, columns: RawBuilder<unknown> = NO_GATE.columns) {
  return sql<{ registered: number; expired: number }>`
    select ${columns},
      ${registeredCountSql(projectId)} as registered,
      (coalesce((select sum(expired) from token_expired_counts where project_id = ${projectId}), 0)
       + (select count(*) from tokens where project_id = ${projectId} and expired_at is null
            and expires_at is not null and expires_at <= now()))::int as expired
    from projects p where p.id = ${projectId}`;
}

/** One statement: the project (and the gate's columns), its counter rows and the partial index of due tokens. */
export async function countTokens(
  db: Db,
  projectId: string,
  gate?: ProjectGate,
): Promise<{ registered: number; expired: number }> {
  const { rows } = await countTokensStatement(projectId, gate?.columns).execute(db);
  const { registered, expired } = passGate(gate, rows[0], projectId);
  return { registered, expired };
}

/**
 * Deletes the given IDs (all must exist, or none is deleted), in ONE statement: the project's
 * state, the rows locked in ID order, then this connection's stripe of the deletion count
 * (migration 016), not the project's counter row: deletions of one project do not wait for each
 * other's commits. Only when every ID was found and locked are they deleted and counted; a
 * concurrent delete of the same ID leaves this one short (the row it waited for is gone), so it
 * deletes nothing: each token is deleted once.
 */
export async function deleteTokens(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  ids: readonly string[],
): Promise<number> {
  if (ids.length === 0 || ids.length > DELETE_LIMIT)
    throw new TokenError(
      'invalid_payload',
      `${ids.length} IDs in one request; 1 to ${DELETE_LIMIT} are allowed`,
      'split the request, or use --oldest N',
    );
  const unique = [...new Set(ids)].sort();
  // A malformed ID cannot be registered (the table's CHECK), so it is simply not found; only
  // well-formed ones go into the array literal (which they cannot break: no quotes, commas, braces).
  const wellFormed = unique.filter((id) => tokenIdProblem(id) === undefined);
  // One ID (the common call) as a plain equality: PostgreSQL prices a generic plan for `= any(array)`
  // at ten elements, six times a custom plan for one, so it planned the statement afresh at every
  // request (planning was most of the statement's cost). Equality lets it keep one plan per connection.
  const named =
    wellFormed.length === 1
      ? sql`token_id = ${wellFormed[0]}`
      : sql`token_id = any(cast(${toTextArray(wellFormed)} as text[]))`;
  const { rows } = await retryOnDeadlock(() =>
    sql<{ status: string | null; found: string[] | null; deleted: number }>`
    with project as (select status from projects where id = ${projectId}),
    locked as (
      select token_id from tokens
      where project_id = ${projectId} and ${named}
        and (select status from project) <> 'CLOSE'
      order by token_id collate "C" for update),
    gone as (
      delete from tokens where project_id = ${projectId} and token_id in (select token_id from locked)
        and (select count(*) from locked) = ${unique.length}
      returning 1),
    counted as (
      insert into token_deleted_counts as c (project_id, stripe, deleted)
      select ${projectId}, pg_backend_pid() % 32, count(*) from gone having count(*) > 0
      on conflict (project_id, stripe) do update set deleted = c.deleted + excluded.deleted
      returning 1)
    select (select status from project) as status, (select array_agg(token_id) from locked) as found,
           (select count(*) from gone)::int as deleted`.execute(db),
  );
  const r = rows[0];
  if (r.status === null) throw missingProject(projectId);
  if (r.status === 'CLOSE') throw closedError(projectId);
  if (r.deleted !== unique.length) {
    const found = new Set(r.found ?? []);
    const missing = unique.filter((id) => !found.has(id));
    throw new TokenError(
      'token_not_found',
      `not registered: ${(missing.length ? missing : unique).slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}; nothing deleted`,
    );
  }
  return r.deleted;
}

/** Time-based N deletion: the N oldest registrations (at most 5,000 per request). */
export async function deleteOldestTokens(db: Kysely<DatabaseSchema>, projectId: string, n: number): Promise<number> {
  if (!Number.isInteger(n) || n < 1 || n > DELETE_OLDEST_LIMIT)
    throw new TokenError('invalid_payload', `oldest ${n}: expected 1 to 5,000`);
  return retryOnDeadlock(() =>
    db.transaction().execute(async (tx) => {
      await oneCountedDeletionAtATime(tx, projectId);
      await requireWritableProject(tx, projectId);
      return deleteOldestCounted(tx, projectId, n);
    }),
  );
}
