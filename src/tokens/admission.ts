// Liveform admission ("Start Authentication"): may this request open the Liveform? One pure
// decision over facts read from the database, used three ways: `startAdmission` reads the facts
// under row locks and carries out the decision's effects (count-based expiry happens here,
// exactly once under concurrency); `checkAdmission` reads the same facts and changes nothing;
// `completeSession` records the final result (private mode and the 3-minute rule read it).
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { TokenError } from './token-errors.js';
import { writeExpiredEvents } from './token-events.js';

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export const REFUSAL_CODES = ['invalid_project', 'project_closed', 'emergency_stop', 'encrypted_only', 'token_not_found', 'token_expired', 'token_completed'] as const;
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
  /** The `encrypted` URL parameter (opened by the encryption work later; for now its presence counts). */
  encrypted?: string;
  clientIp?: string;
}

interface ProjectFacts {
  status: string; submissions: string; encrypted_only: boolean; private_mode: boolean;
  token_pre_registration: boolean; token_expiration_mode: string; token_expiration_seconds: number | null;
}
interface TokenFacts { first_used_at: Date | null; expires_at: Date | null; expired_at: Date | null; completed_at: Date | null }
interface UseFacts { first_used_at: Date; final_result: string | null }
interface Facts { project?: ProjectFacts; token?: TokenFacts; use?: UseFacts }

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
const refuse = (code: RefusalCode, message: string, effect: Effect = none): Decision => ({ admitted: false, code, message, effect });
const iso = (d: Date | string) => new Date(d).toISOString();

function tokenOf(req: AdmissionRequest): string | undefined {
  return req.tokenId ?? req.params?.token;
}

/** The decision itself: pure, no I/O, the clock passed in. */
export function decide(req: AdmissionRequest, facts: Facts, now: Date): Decision {
  const p = facts.project;
  if (!p) return refuse('invalid_project', `project "${req.projectId}" does not exist`);
  if (p.status === 'CLOSE') return refuse('project_closed', `project "${req.projectId}" is closed (CLOSE); submissions are not active`);
  if (p.submissions === 'emergency-stop') return refuse('emergency_stop', `project "${req.projectId}" is under emergency stop; submissions are halted`);
  if (p.encrypted_only) {
    const plain = Object.keys(req.params ?? {}).filter((k) => !PLAIN_PARAMS_IN_ENCRYPTED_ONLY.includes(k));
    if (plain.length) return refuse('encrypted_only', `project "${req.projectId}" accepts only encrypted URLs; plain parameter(s) not allowed: ${plain.slice(0, 5).join(', ')}`);
    if (!req.encrypted && !req.params?.encrypted) return refuse('encrypted_only', `project "${req.projectId}" accepts only encrypted URLs; "encrypted" is missing`);
  }
  const tokenId = tokenOf(req);
  if (p.token_pre_registration) return decidePreRegistered(req, p, tokenId, facts.token, now);
  if (tokenId === undefined) return { admitted: true, tokenId: null, preRegistered: false, expiresAt: null, effect: none };
  const use = facts.use;
  if (use?.final_result) return refuse('token_completed', `token "${tokenId}" already has a final submission (${use.final_result})`);
  const firstUse = use ? new Date(use.first_used_at) : now;
  const until = new Date(firstUse.getTime() + UNREGISTERED_TOKEN_SECONDS * 1000);
  if (until <= now) return refuse('token_expired', `token "${tokenId}" is not pre-registered and was first used at ${iso(firstUse)}; such tokens work for 3 minutes`);
  return { admitted: true, tokenId, preRegistered: false, expiresAt: until.toISOString(), effect: none };
}

function decidePreRegistered(req: AdmissionRequest, p: ProjectFacts, tokenId: string | undefined, token: TokenFacts | undefined, now: Date): Decision {
  if (tokenId === undefined) return refuse('token_not_found', `project "${req.projectId}" admits only pre-registered tokens, and none was given`);
  if (!token) return refuse('token_not_found', `token "${tokenId}" is not registered (or was deleted); the Liveform stays closed`);
  if (token.expired_at) return refuse('token_expired', `token "${tokenId}" expired at ${iso(token.expired_at)}`);
  if (p.private_mode && token.completed_at) return refuse('token_completed', `token "${tokenId}" already completed an authentication; private mode forbids reuse`);
  if (token.expires_at && new Date(token.expires_at) <= now) {
    // The window passed and no prune marked it yet: the refusal marks it.
    return refuse('token_expired', `token "${tokenId}" expired at ${iso(token.expires_at)}`, { kind: 'mark-time-expiry', at: new Date(token.expires_at) });
  }
  const firstUse = token.first_used_at ? new Date(token.first_used_at) : now;
  const admit = (expiresAt: Date | null, effect: Effect): Decision => ({ admitted: true, tokenId, preRegistered: true, expiresAt: expiresAt?.toISOString() ?? null, effect });
  if (p.token_expiration_mode === 'count') return admit(now, { kind: 'expire-count', firstUse });
  if (p.token_expiration_mode === 'time' && p.token_expiration_seconds) {
    const expiresAt = token.expires_at ? new Date(token.expires_at) : new Date(firstUse.getTime() + p.token_expiration_seconds * 1000);
    return admit(expiresAt, { kind: 'use-window', firstUse, expiresAt });
  }
  return admit(null, { kind: 'use-window', firstUse, expiresAt: null });
}

async function readProject(db: Db, projectId: string): Promise<ProjectFacts | undefined> {
  return db.selectFrom('projects').select(['status', 'submissions', 'encrypted_only', 'private_mode', 'token_pre_registration', 'token_expiration_mode', 'token_expiration_seconds'])
    .where('id', '=', projectId).executeTakeFirst();
}

const tokenQuery = (db: Db, projectId: string, tokenId: string) => db.selectFrom('tokens').select(['first_used_at', 'expires_at', 'expired_at', 'completed_at'])
  .where('project_id', '=', projectId).where('token_id', '=', tokenId);
const useQuery = (db: Db, projectId: string, tokenId: string) => db.selectFrom('token_uses').select(['first_used_at', 'final_result'])
  .where('project_id', '=', projectId).where('token_id', '=', tokenId);

function checkTokenLength(tokenId: string | undefined): void {
  if (tokenId !== undefined && (tokenId.length < 1 || Buffer.byteLength(tokenId) > 256)) throw new TokenError('invalid_token_id_format', 'a token is 1 to 256 bytes');
}

/** The dry run: the same answer `startAdmission` would give now, and nothing written. */
export async function checkAdmission(db: Kysely<DatabaseSchema>, req: AdmissionRequest, now: Date = new Date()): Promise<Decision> {
  checkTokenLength(tokenOf(req));
  const project = await readProject(db, req.projectId);
  const tokenId = tokenOf(req);
  if (!project || tokenId === undefined) return decide(req, { project }, now);
  const token = project.token_pre_registration ? await tokenQuery(db, req.projectId, tokenId).executeTakeFirst() : undefined;
  const use = project.token_pre_registration ? undefined : await useQuery(db, req.projectId, tokenId).executeTakeFirst();
  return decide(req, { project, token, use }, now);
}

export type StartOutcome = Decision & { sessionId?: string };

/** "Start Authentication": decide under row locks, carry out the effects, open a session when admitted. */
export async function startAdmission(db: Kysely<DatabaseSchema>, req: AdmissionRequest, now: Date = new Date()): Promise<StartOutcome> {
  checkTokenLength(tokenOf(req));
  return db.transaction().execute(async (tx) => {
    const project = await readProject(tx, req.projectId);
    const tokenId = tokenOf(req);
    const early = decide(req, { project }, now);
    if (!project || tokenId === undefined || (!early.admitted && early.code !== 'token_not_found')) return writeOutcome(tx, req, early, now);
    let facts: Facts;
    if (project.token_pre_registration) {
      facts = { project, token: await tokenQuery(tx, req.projectId, tokenId).forUpdate().executeTakeFirst() };
    } else {
      // The first use is recorded before the decision, so racing first uses agree on one time.
      await tx.insertInto('token_uses').values({ project_id: req.projectId, token_id: tokenId, first_used_at: now })
        .onConflict((oc) => oc.columns(['project_id', 'token_id']).doNothing()).execute();
      facts = { project, use: await useQuery(tx, req.projectId, tokenId).forUpdate().executeTakeFirstOrThrow() };
    }
    return writeOutcome(tx, req, decide(req, facts, now), now);
  });
}

async function writeOutcome(tx: Transaction<DatabaseSchema>, req: AdmissionRequest, decision: Decision, now: Date): Promise<StartOutcome> {
  const { effect } = decision;
  const tokenId = tokenOf(req)!;
  const row = () => tx.updateTable('tokens').where('project_id', '=', req.projectId).where('token_id', '=', tokenId);
  if (effect.kind === 'expire-count') {
    await row().set({ first_used_at: effect.firstUse, expired_at: now }).execute();
    await writeExpiredEvents(tx, req.projectId, [{ tokenId, condition: 'count', at: now }]);
  } else if (effect.kind === 'use-window') {
    await row().set({ first_used_at: effect.firstUse, expires_at: effect.expiresAt }).execute();
  } else if (effect.kind === 'mark-time-expiry') {
    await row().set({ expired_at: effect.at }).execute();
    await writeExpiredEvents(tx, req.projectId, [{ tokenId, condition: 'time', at: effect.at }]);
  }
  if (!decision.admitted) return decision;
  const sessionId = randomUUID();
  await tx.insertInto('liveform_sessions').values({
    id: sessionId, project_id: req.projectId, token_id: decision.tokenId, pre_registered: decision.preRegistered,
    client_ip: req.clientIp ?? null, started_at: now,
  }).execute();
  return { ...decision, sessionId };
}

export interface CompleteResult { sessionId: string; projectId: string; result: FinalResult }

/** The authentication finished with a final result: recorded once per session. */
export async function completeSession(db: Kysely<DatabaseSchema>, sessionId: string, result: FinalResult, now: Date = new Date()): Promise<CompleteResult> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(sessionId)) throw new TokenError('session_not_found', `"${sessionId}" is not a session id`);
  return db.transaction().execute(async (tx) => {
    const s = await tx.selectFrom('liveform_sessions').selectAll().where('id', '=', sessionId).forUpdate().executeTakeFirst();
    if (!s) throw new TokenError('session_not_found', `session ${sessionId} does not exist`);
    if (s.completed_at) throw new TokenError('session_completed', `session ${sessionId} already completed (${s.result})`);
    await tx.updateTable('liveform_sessions').set({ completed_at: now, result }).where('id', '=', sessionId).execute();
    if (s.token_id && s.pre_registered) {
      await tx.updateTable('tokens').set({ completed_at: now }).where('project_id', '=', s.project_id).where('token_id', '=', s.token_id).execute();
    } else if (s.token_id) {
      await tx.updateTable('token_uses').set({ final_result: result, final_at: now })
        .where('project_id', '=', s.project_id).where('token_id', '=', s.token_id).where('final_result', 'is', null).execute();
    }
    return { sessionId, projectId: s.project_id, result };
  });
}
