// Liveform admission ("Start Authentication"): may this request open the Liveform? One pure
// decision over facts read from the database, used three ways: `startAdmission` reads the facts
// and carries out the decision's effects in one conditional statement (count-based expiry happens
// here, exactly once under concurrency); `checkAdmission` reads the same facts and changes nothing;
// `completeSession` records the final result (private mode and the 3-minute rule read it).
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { jsonb } from '../db/sql-values.js';
import type { DatabaseSchema } from '../db/schema.js';
import { TokenError } from './token-errors.js';
import { passWriteGate, type ProjectGate, type WriteGate } from './token-store.js';
import { expiredEvent, subscribedToExpiry } from './token-events.js';
import { URL_ERROR_CODES } from '../url/liveform-url.js';
import { openProjectEncrypted, type Opened } from '../url/url-keys.js';
import { urlIdentity } from './url-identity.js';

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export const REFUSAL_CODES = [
  'invalid_project',
  'project_closed',
  'emergency_stop',
  'encrypted_only',
  'token_not_found',
  'token_expired',
  'token_completed',
  'url_completed',
  ...URL_ERROR_CODES,
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];
/** Plain URL parameters that encryption-only mode still accepts. */
export const PLAIN_PARAMS_IN_ENCRYPTED_ONLY = ['pid', 'encrypted', 'lang'];
/** A token that is not pre-registered stops working this long after its first use. */
export const UNREGISTERED_TOKEN_SECONDS = 180;
export const FINAL_RESULTS = ['approved', 'rejected', 'pending'] as const;
export type FinalResult = (typeof FINAL_RESULTS)[number];

export interface AdmissionRequest {
  projectId: string;
  tokenId?: string;
  /** The Liveform URL's plain parameters. */
  params?: Record<string, string>;
  /** The `encrypted` URL parameter (docs/url-encryption.md); also read from params.encrypted. */
  encrypted?: string;
  clientIp?: string;
  /** Unseals the project's URL keys when `encrypted` is given (serve and check pass the master key). */
  masterKey?: () => Buffer;
}

/** The columns of `projects` the decision reads (and the one-statement path re-checks, so keep them together). */
const PROJECT_FACT_COLUMNS = [
  'status',
  'submissions',
  'encrypted_only',
  'private_mode',
  'token_pre_registration',
  'token_expiration_mode',
  'token_expiration_seconds',
] as const;
export interface ProjectFacts {
  status: string;
  submissions: string;
  encrypted_only: boolean;
  private_mode: boolean;
  token_pre_registration: boolean;
  token_expiration_mode: string;
  token_expiration_seconds: number | null;
}
interface TokenFacts {
  first_used_at: Date | null;
  expires_at: Date | null;
  expired_at: Date | null;
  completed_at: Date | null;
}
interface UseFacts {
  first_used_at: Date;
  final_result: string | null;
}
/** `opened`: the `encrypted` parameter opened with the project's keys valid now (absent: none was given). */
interface Facts {
  project?: ProjectFacts;
  token?: TokenFacts;
  use?: UseFacts;
  opened?: Opened;
  /** A completed session admitted this very URL (private mode without pre-registration refuses it). */
  urlCompleted?: boolean;
}

/** What admitting (or a late refusal) writes; `startAdmission` carries it out, `checkAdmission` does not. */
type Effect =
  | { kind: 'none' }
  | { kind: 'expire-count'; firstUse: Date }
  | { kind: 'use-window'; firstUse: Date; expiresAt: Date | null }
  | { kind: 'mark-time-expiry'; at: Date };

export type Decision =
  | { admitted: true; tokenId: string | null; preRegistered: boolean; expiresAt: string | null; effect: Effect }
  | { admitted: false; code: RefusalCode; message: string; effect: Effect };

const none: Effect = { kind: 'none' };
const refuse = (code: RefusalCode, message: string, effect: Effect = none): Decision => ({
  admitted: false,
  code,
  message,
  effect,
});
const iso = (d: Date | string) => new Date(d).toISOString();

function encryptedOf(req: AdmissionRequest): string | undefined {
  return req.encrypted ?? req.params?.encrypted;
}

/** The token: from the encrypted parameters when they carry one (they cannot be altered), else the plain ones. */
function tokenOf(req: AdmissionRequest, opened: Opened | undefined): string | undefined {
  return (opened?.ok ? opened.params.token : undefined) ?? req.tokenId ?? req.params?.token;
}

/** The decision itself: pure, no I/O, the clock passed in. */
export function decide(req: AdmissionRequest, facts: Facts, now: Date): Decision {
  const p = facts.project;
  if (!p) return refuse('invalid_project', `project "${req.projectId}" does not exist`);
  if (p.status === 'CLOSE')
    return refuse('project_closed', `project "${req.projectId}" is closed (CLOSE); submissions are not active`);
  if (p.submissions === 'emergency-stop')
    return refuse('emergency_stop', `project "${req.projectId}" is under emergency stop; submissions are halted`);
  if (p.encrypted_only) {
    const plain = [
      ...(req.tokenId !== undefined ? ['token'] : []),
      ...Object.keys(req.params ?? {}).filter((k) => !PLAIN_PARAMS_IN_ENCRYPTED_ONLY.includes(k)),
    ];
    if (plain.length)
      return refuse(
        'encrypted_only',
        `project "${req.projectId}" accepts only encrypted URLs; plain parameter(s) not allowed: ${plain.slice(0, 5).join(', ')}`,
      );
    if (!encryptedOf(req))
      return refuse('encrypted_only', `project "${req.projectId}" accepts only encrypted URLs; "encrypted" is missing`);
  }
  const opened = facts.opened;
  if (encryptedOf(req) !== undefined) {
    if (!opened)
      return refuse('encrypted_invalid', `project "${req.projectId}": the encrypted parameters were not opened`);
    if (!opened.ok) return refuse(opened.code, `project "${req.projectId}": ${opened.message}`);
    if (opened.params.pid !== undefined && opened.params.pid !== req.projectId) {
      return refuse('encrypted_invalid', `the encrypted parameters name another project than pid "${req.projectId}"`);
    }
  }
  const tokenId = tokenOf(req, opened);
  // A token that came inside encrypted parameters is never quoted back: the answer goes to whoever
  // holds the URL, and the encryption exists so that they cannot read it.
  const hidden = opened?.ok === true && opened.params.token !== undefined;
  const shown = hidden ? 'the token in the encrypted parameters' : `token "${tokenId}"`;
  if (p.token_pre_registration) return decidePreRegistered(req, p, tokenId, shown, facts.token, now);
  // Private mode without pre-registration: the URL itself is what completes (url-identity.ts).
  if (p.private_mode && facts.urlCompleted)
    return refuse(
      'url_completed',
      `this Liveform URL of project "${req.projectId}" already completed an authentication; private mode forbids reuse`,
    );
  if (tokenId === undefined)
    return { admitted: true, tokenId: null, preRegistered: false, expiresAt: null, effect: none };
  const use = facts.use;
  if (use?.final_result)
    return refuse('token_completed', `${shown} already has a final submission (${use.final_result})`);
  const firstUse = use ? new Date(use.first_used_at) : now;
  const until = new Date(firstUse.getTime() + UNREGISTERED_TOKEN_SECONDS * 1000);
  if (until <= now)
    return refuse(
      'token_expired',
      `${shown} is not pre-registered and was first used at ${iso(firstUse)}; such tokens work for 3 minutes`,
    );
  return { admitted: true, tokenId, preRegistered: false, expiresAt: until.toISOString(), effect: none };
}

function decidePreRegistered(
  req: AdmissionRequest,
  p: ProjectFacts,
  tokenId: string | undefined,
  shown: string,
  token: TokenFacts | undefined,
  now: Date,
): Decision {
  if (tokenId === undefined)
    return refuse(
      'token_not_found',
      `project "${req.projectId}" admits only pre-registered tokens, and none was given`,
    );
  if (!token)
    return refuse('token_not_found', `${shown} is not registered (or was deleted); the Liveform stays closed`);
  if (token.expired_at) return refuse('token_expired', `${shown} expired at ${iso(token.expired_at)}`);
  if (p.private_mode && token.completed_at)
    return refuse('token_completed', `${shown} already completed an authentication; private mode forbids reuse`);
  if (token.expires_at && new Date(token.expires_at) <= now) {
    // The window passed and no prune marked it yet: the refusal marks it.
    return refuse('token_expired', `${shown} expired at ${iso(token.expires_at)}`, {
      kind: 'mark-time-expiry',
      at: new Date(token.expires_at),
    });
  }
  const firstUse = token.first_used_at ? new Date(token.first_used_at) : now;
  const admit = (expiresAt: Date | null, effect: Effect): Decision => ({
    admitted: true,
    tokenId,
    preRegistered: true,
    expiresAt: expiresAt?.toISOString() ?? null,
    effect,
  });
  if (p.token_expiration_mode === 'count') return admit(now, { kind: 'expire-count', firstUse });
  if (p.token_expiration_mode === 'time' && p.token_expiration_seconds) {
    const expiresAt = token.expires_at
      ? new Date(token.expires_at)
      : new Date(firstUse.getTime() + p.token_expiration_seconds * 1000);
    return admit(expiresAt, { kind: 'use-window', firstUse, expiresAt });
  }
  return admit(null, { kind: 'use-window', firstUse, expiresAt: null });
}

/** Every fact the decision needs, in one round trip (the token and its first use joined in). */
async function readFacts(
  db: Db,
  projectId: string,
  tokenId: string | undefined,
  urlDigest: string,
  gate?: ProjectGate,
): Promise<Facts> {
  const { rows } = await sql<
    ProjectFacts & {
      t_found: boolean;
      t_first_used_at: Date | null;
      expires_at: Date | null;
      expired_at: Date | null;
      completed_at: Date | null;
      u_found: boolean;
      u_first_used_at: Date | null;
      final_result: string | null;
      url_completed: boolean;
    }
  >`
    select ${sql.join(PROJECT_FACT_COLUMNS.map((c) => sql.ref(`p.${c}`)))}, ${gate?.columns ?? sql`true as project_found`},
           t.token_id is not null as t_found, t.first_used_at as t_first_used_at, t.expires_at, t.expired_at, t.completed_at,
           u.token_id is not null as u_found, u.first_used_at as u_first_used_at, u.final_result,
           exists (select 1 from liveform_sessions c where c.project_id = p.id and c.url_digest = ${urlDigest}
                   and c.completed_at is not null) as url_completed
    from projects p
    left join tokens t on t.project_id = p.id and t.token_id = cast(${tokenId ?? null} as text)
    left join token_uses u on u.project_id = p.id and u.token_id = cast(${tokenId ?? null} as text)
    where p.id = ${projectId}`.execute(db);
  const r = rows[0];
  gate?.check(r);
  if (!r) return {};
  return {
    project: Object.fromEntries(PROJECT_FACT_COLUMNS.map((c) => [c, r[c]])) as unknown as ProjectFacts,
    token: r.t_found
      ? {
          first_used_at: r.t_first_used_at,
          expires_at: r.expires_at,
          expired_at: r.expired_at,
          completed_at: r.completed_at,
        }
      : undefined,
    use: r.u_found ? { first_used_at: r.u_first_used_at!, final_result: r.final_result } : undefined,
    urlCompleted: r.url_completed,
  };
}

function checkTokenLength(tokenId: string | undefined): void {
  if (tokenId !== undefined && (tokenId.length < 1 || Buffer.byteLength(tokenId) > 256))
    throw new TokenError('invalid_token_id_format', 'a token is 1 to 256 bytes');
}

/** The `encrypted` parameter opened with the keys that open URLs at `now` (one more round trip, only when given). */
async function openEncrypted(db: Db, req: AdmissionRequest, now: Date): Promise<Opened | undefined> {
  const value = encryptedOf(req);
  if (value === undefined) return undefined;
  if (!req.masterKey)
    return {
      ok: false,
      code: 'encrypted_invalid',
      message: 'encrypted parameters cannot be opened here (no master key)',
    };
  return openProjectEncrypted(db as Kysely<DatabaseSchema>, req.projectId, value, now, req.masterKey);
}

/**
 * Everything the decision needs: the opened parameters first, since they may carry the token.
 * `gate` (the caller's authorization) is checked before anything else is used: in the facts'
 * own statement, or, when encrypted parameters must be opened first, in a statement of its own
 * before they are.
 */
async function gatherFacts(db: Db, req: AdmissionRequest, now: Date, gate?: ProjectGate): Promise<Facts> {
  if (gate && encryptedOf(req) !== undefined) {
    const { rows } = await sql`select ${gate.columns} from projects p where p.id = ${req.projectId}`.execute(db);
    gate.check(rows[0]);
    gate = undefined;
  }
  const opened = await openEncrypted(db, req, now);
  const tokenId = tokenOf(req, opened);
  // Refused after the gate's check, as any request of an unknown caller is.
  const facts = await readFacts(db, req.projectId, tokenId, urlDigestOf(req), gate);
  checkTokenLength(tokenId);
  return { ...facts, opened };
}

function urlDigestOf(req: AdmissionRequest): string {
  return urlIdentity({
    projectId: req.projectId,
    tokenId: req.tokenId,
    params: req.params,
    encrypted: encryptedOf(req),
  });
}

/** The dry run: the same answer `startAdmission` would give now, and nothing written. */
export async function checkAdmission(
  db: Kysely<DatabaseSchema>,
  req: AdmissionRequest,
  now: Date = new Date(),
  /** The caller's authorization, read in the same statement as the facts (the /check route). */
  gate?: ProjectGate,
): Promise<Decision> {
  return decide(req, await gatherFacts(db, req, now, gate), now);
}

/** `registered`: whether the admitted token is a registered one (traffic facts; absent when not known). */
export type StartOutcome = Decision & { sessionId?: string; registered?: boolean };

/** Was the admitted token a registered one? Pre-registration admits only those; else the read or the write says. */
function registeredOf(decision: Decision, held: true | { registered: boolean }, facts?: Facts): boolean {
  if (decision.admitted && decision.preRegistered) return true;
  if (typeof held === 'object') return held.registered;
  return facts?.token !== undefined;
}

/**
 * The project facts `serve` last read, per project, to decide a request in one statement (see
 * startAdmission). Never trusted on their own: the statement re-checks them, so a change (CLOSE,
 * emergency stop, …) takes effect on the next request. Bounded: the oldest entry goes first.
 */
export class ProjectFactsCache {
  private readonly entries = new Map<string, ProjectFacts>();
  constructor(private readonly max = 10_000) {}
  get(projectId: string): ProjectFacts | undefined {
    return this.entries.get(projectId);
  }
  set(projectId: string, facts: ProjectFacts | undefined): void {
    this.entries.delete(projectId);
    if (!facts) return;
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(projectId, facts);
  }
}

export interface StartOptions {
  /** Tests put a competing request between the read and the write, to prove the write re-checks what was read. */
  betweenReadAndWrite?(): Promise<void>;
  /** Known project facts (serve keeps them): the common case then takes one statement instead of two. */
  projects?: ProjectFactsCache;
}

/** A token as it is before its first use: what the one-statement path assumes, and its write requires. */
const FRESH_TOKEN: TokenFacts = { first_used_at: null, expires_at: null, expired_at: null, completed_at: null };

/**
 * "Start Authentication": read the facts, decide, then carry out the decision in ONE conditional
 * statement that holds only if the facts still hold (a count-based token not yet expired, a first
 * use not yet recorded, …). If another request changed them in between, read and decide again:
 * so a count-based token is admitted exactly once however many requests race, in two round trips.
 *
 * With known project facts the read is skipped for the common case: decide as if the token were
 * fresh (never used) or, for a project without pre-registration, used for the first time, and
 * write with a statement that also requires the project's facts to be those known and the token
 * to be fresh. One round trip; when it does not hold, the two-step path above answers.
 */
export async function startAdmission(
  db: Kysely<DatabaseSchema>,
  req: AdmissionRequest,
  now: Date = new Date(),
  options: StartOptions = {},
): Promise<StartOutcome> {
  // Encrypted parameters are opened with the project's keys, which the one-statement path does not
  // re-check: such requests always read first.
  const known = encryptedOf(req) === undefined ? options.projects?.get(req.projectId) : undefined;
  if (known) {
    checkTokenLength(tokenOf(req, undefined));
    const assumed: Facts = { project: known, token: known.token_pre_registration ? FRESH_TOKEN : undefined };
    const decision = decide(req, assumed, now);
    if (decision.admitted) {
      const sessionId = randomUUID();
      const held = await carryOut(db, req, assumed, decision, sessionId, now, true);
      if (held) return { ...decision, sessionId, registered: registeredOf(decision, held) };
    }
  }
  for (let attempt = 0; ; attempt++) {
    const facts = await gatherFacts(db, req, now);
    options.projects?.set(req.projectId, facts.project);
    // Tests put a competing request exactly here, to prove the write re-checks what was read.
    if (attempt === 0) await options.betweenReadAndWrite?.();
    const decision = decide(req, facts, now);
    const sessionId = randomUUID();
    const held = await carryOut(db, req, facts, decision, sessionId, now, false);
    if (held)
      return decision.admitted
        ? { ...decision, sessionId, registered: registeredOf(decision, held, facts) }
        : { ...decision, registered: facts.token !== undefined };
    if (attempt >= 10) throw new Error('admission kept conflicting with concurrent requests');
  }
}

/**
 * The decision's writes as one statement; false when the facts it was based on changed meanwhile.
 * `assumed`: the facts were not read but assumed (known project facts, a fresh token), and the
 * statement holds only if they are true.
 */
async function carryOut(
  db: Kysely<DatabaseSchema>,
  req: AdmissionRequest,
  facts: Facts,
  decision: Decision,
  sessionId: string,
  now: Date,
  assumed: boolean,
): Promise<boolean | { registered: boolean }> {
  const { projectId } = req;
  const tokenId = tokenOf(req, facts.opened) ?? null;
  const effect = decision.effect;
  const event = (condition: 'count' | 'time', at: Date) => jsonb(expiredEvent(tokenId!, condition, at));
  const urlDigest = urlDigestOf(req);
  const session = (
    from: RawBuilder<unknown>,
  ) => sql`insert into liveform_sessions (id, project_id, token_id, pre_registered, client_ip, started_at, url_digest)
    select cast(${sessionId} as uuid), cast(${projectId} as text), cast(${tokenId} as text), cast(${decision.admitted && decision.preRegistered} as boolean),
      cast(${req.clientIp && isIP(req.clientIp) ? req.clientIp : null} as inet), cast(${now} as timestamptz), cast(${urlDigest} as text)
    ${from}`;
  // Private mode without pre-registration: not once a session of this URL completed (it may have since the read).
  const urlOpen =
    facts.project?.private_mode && !facts.project.token_pre_registration
      ? sql`not exists (select 1 from liveform_sessions c where c.project_id = ${projectId}
              and c.url_digest = cast(${urlDigest} as text) and c.completed_at is not null)`
      : sql`true`;
  const fromUsed = sql`from used`;
  const sameToken = sql`project_id = ${projectId} and token_id = cast(${tokenId} as text)`;
  // Traffic facts: is the token of a project without pre-registration a registered one (in the same statement)?
  const registered = sql`exists (select 1 from tokens t where t.project_id = ${projectId} and t.token_id = cast(${tokenId} as text))`;
  const notCompleted = facts.project?.private_mode ? sql`and completed_at is null` : sql``;
  const project = facts.project;
  const sameFacts =
    project &&
    sql.join(
      PROJECT_FACT_COLUMNS.map((c) => sql`${sql.ref(`p.${c}`)} is not distinct from ${project[c]}`),
      sql` and `,
    );
  const projectAsAssumed =
    assumed && sameFacts
      ? sql`exists (select 1 from projects p where p.id = ${projectId} and ${sameFacts})`
      : sql`true`;
  const tokenAsAssumed = assumed
    ? sql`and first_used_at is null and expires_at is null and completed_at is null and ${projectAsAssumed}`
    : sql``;

  if (effect.kind === 'mark-time-expiry') {
    // A refusal that records the expiry no prune has marked yet (once, whoever gets there first);
    // its event only when the project's webhook is subscribed to token_expired.
    await sql`with marked as (update tokens set expired_at = expires_at where ${sameToken} and expired_at is null returning 1)
      insert into token_events (project_id, payload) select ${projectId}, ${event('time', effect.at)} from marked
      where ${subscribedToExpiry(projectId)}`.execute(db);
    return true;
  }
  if (!decision.admitted) return true;
  if (effect.kind === 'expire-count') {
    const { rows } = await sql<{ n: number }>`
      with used as (update tokens set first_used_at = cast(${effect.firstUse} as timestamptz), expired_at = cast(${now} as timestamptz)
                    where ${sameToken} and expired_at is null ${notCompleted} ${tokenAsAssumed} returning 1),
           ev as (insert into token_events (project_id, payload) select ${projectId}, ${event('count', now)} from used
                  where ${subscribedToExpiry(projectId)}),
           s as (${session(fromUsed)})
      select count(*)::int as n from used`.execute(db);
    return rows[0].n === 1;
  }
  if (effect.kind === 'use-window') {
    const { rows } = await sql<{ n: number }>`
      with used as (update tokens set first_used_at = coalesce(first_used_at, cast(${effect.firstUse} as timestamptz)),
                                      expires_at = coalesce(expires_at, cast(${effect.expiresAt} as timestamptz))
                    where ${sameToken} and expired_at is null and (expires_at is null or expires_at > cast(${now} as timestamptz)) ${notCompleted}
                      ${tokenAsAssumed}
                    returning 1),
           s as (${session(fromUsed)})
      select count(*)::int as n from used`.execute(db);
    return rows[0].n === 1;
  }
  if (tokenId !== null && !facts.use) {
    // The first use of a token that is not pre-registered: recorded once; a racing first use retries.
    const { rows } = await sql<{ n: number; registered: boolean }>`
      with used as (insert into token_uses (project_id, token_id, first_used_at)
                    select cast(${projectId} as text), cast(${tokenId} as text), cast(${now} as timestamptz)
                    where ${projectAsAssumed} and ${urlOpen}
                    on conflict (project_id, token_id) do nothing returning 1),
           s as (${session(fromUsed)})
      select count(*)::int as n, ${registered} as registered from used`.execute(db);
    return rows[0].n === 1 && { registered: rows[0].registered };
  }
  if (tokenId !== null) {
    // Not once a final result exists for it (it may have arrived since the facts were read).
    const { rows } = await sql<{
      n: number;
      registered: boolean;
    }>`with s as (${session(sql`where not exists (select 1 from token_uses where ${sameToken} and final_result is not null) and ${urlOpen}`)} returning 1)
      select count(*)::int as n, ${registered} as registered from s`.execute(db);
    return rows[0].n === 1 && { registered: rows[0].registered };
  }
  const { rows } = await sql<{
    n: number;
  }>`with s as (${session(sql`where ${projectAsAssumed} and ${urlOpen}`)} returning 1)
    select count(*)::int as n from s`.execute(db);
  return rows[0].n === 1;
}

export interface CompleteResult {
  sessionId: string;
  projectId: string;
  result: FinalResult;
}

/**
 * The authentication finished with a final result: recorded once per session, in ONE statement:
 * the session is completed only if it is not yet (a concurrent completion waits for the row and
 * then finds it completed), and with it its pre-registered token (private mode refuses it again)
 * or its unregistered token's first use (the 3-minute rule). The session as it was before the
 * statement tells "no such session" from "already completed".
 */
export async function completeSession(
  db: Kysely<DatabaseSchema>,
  sessionId: string,
  result: FinalResult,
  now: Date = new Date(),
  options: {
    /** The project the caller named (the CLI does): a session of another project is not found. */
    projectId?: string;
    /** The caller's authorization (the HTTP face), checked by the statement that completes the session. */
    gate?: WriteGate;
  } = {},
): Promise<CompleteResult> {
  const { projectId, gate } = options;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sessionId)) {
    if (gate) passWriteGate(gate, undefined); // no such session, so no project: the gate's refusal
    throw new TokenError('session_not_found', `"${sessionId}" is not a session id`);
  }
  sessionId = sessionId.toLowerCase(); // a UUID in capitals is the same session (RFC 9562), as the key check took it
  const ofProject = projectId === undefined ? sql`` : sql`and project_id = ${projectId}`;
  // With a gate, the session's project and the gate's columns are read in the same statement, and
  // the session is completed only where the gate grants it.
  const gated = gate
    ? {
        read: sql`p as (select ${gate.columns}, ${gate.granted} as granted from projects p
          where p.id = (select project_id from liveform_sessions where id = cast(${sessionId} as uuid))),`,
        guard: sql`and (select granted from p)`,
        columns: sql`, p.*`,
        join: sql`left join p on true`,
      }
    : { read: sql``, guard: sql``, columns: sql``, join: sql`` };
  const { rows } = await sql<{
    completed: string | null;
    before_project: string | null;
    before_result: string | null;
    /** With a gate: null when there is no project row (an exists() is never null). */
    granted: boolean | null;
  }>`
    with ${gated.read} s as (
      update liveform_sessions set completed_at = cast(${now} as timestamptz), result = ${result}
      where id = cast(${sessionId} as uuid) and completed_at is null ${ofProject} ${gated.guard}
      returning project_id, token_id, pre_registered),
    t as (
      update tokens t set completed_at = cast(${now} as timestamptz) from s
      where s.pre_registered and t.project_id = s.project_id and t.token_id = s.token_id returning 1),
    u as (
      update token_uses u set final_result = ${result}, final_at = cast(${now} as timestamptz) from s
      where not s.pre_registered and u.project_id = s.project_id and u.token_id = s.token_id
        and u.final_result is null returning 1)
    select (select project_id from s) as completed, b.project_id as before_project, b.result as before_result
      ${gated.columns}
    from (select 1) as one left join liveform_sessions b on b.id = cast(${sessionId} as uuid) ${gated.join}`.execute(
    db,
  );
  const r = rows[0];
  if (gate) passWriteGate(gate, r.granted === null ? undefined : r);
  if (r.completed !== null) return { sessionId, projectId: r.completed, result };
  if (r.before_project === null || (projectId !== undefined && r.before_project !== projectId))
    throw new TokenError('session_not_found', `session ${sessionId} does not exist`);
  throw new TokenError(
    'session_completed',
    `session ${sessionId} already completed${r.before_result ? ` (${r.before_result})` : ''}`,
  );
}
