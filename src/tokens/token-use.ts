// "Start Authentication" and its completion as both faces ask for them: `tokens start` and
// POST /v1/liveform/start run `startAdmission` (every rule: status, emergency stop, encryption,
// expiry, private mode), `tokens complete` and POST /v1/liveform/sessions/{id}/complete run
// `completeSession`. The CLI throws a refusal (exit 3); the route answers it (403): same code.
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import {
  completeSession,
  startAdmission,
  type AdmissionRequest,
  type CompleteResult,
  type FinalResult,
} from './admission.js';
import { TokenError, TokenRefused } from './token-errors.js';
import { requireProject } from './token-store.js';

export interface StartResult {
  tokenId: string;
  /** false when the project does not use pre-registration (any token is accepted here). */
  preRegistered: boolean;
  /** When the token stops working: now for count-based, end of the window for time-based. */
  expiresAt: string | null;
  /** The Liveform session this start opened: `complete` takes it. */
  sessionId: string;
}

/** `tokens start`: admission; a refusal is thrown (exit 3 in the CLI), an unknown project is exit 1. */
export async function startToken(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  tokenId: string,
  now: Date = new Date(),
  more: Omit<AdmissionRequest, 'projectId' | 'tokenId'> = {},
): Promise<StartResult> {
  const outcome = await startAdmission(db, { ...more, projectId, tokenId }, now);
  if (!outcome.admitted) {
    if (outcome.code === 'invalid_project') throw new TokenError('invalid_project', outcome.message);
    throw new TokenRefused(outcome.code, outcome.message);
  }
  return {
    tokenId,
    preRegistered: outcome.preRegistered,
    expiresAt: outcome.expiresAt,
    sessionId: outcome.sessionId!,
  };
}

/**
 * The authentication finished with `result`: the session `sessionId`, or else the token's latest
 * open session in the project. With private mode on, the token (and, without pre-registration,
 * the URL it came in) cannot start another.
 */
export async function completeToken(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  tokenId: string | undefined,
  now: Date = new Date(),
  options: { sessionId?: string; result?: FinalResult } = {},
): Promise<CompleteResult> {
  await requireProject(db, projectId);
  let sessionId = options.sessionId;
  if (sessionId === undefined) {
    const open = await db
      .selectFrom('liveform_sessions')
      .select('id')
      .where('project_id', '=', projectId)
      .where('token_id', '=', tokenId ?? '')
      .where('completed_at', 'is', null)
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!open)
      throw new TokenError(
        'session_not_found',
        `token "${tokenId}" of "${projectId}" has no started authentication to complete`,
        'argosctl tokens start PROJECT TOKEN first (it prints the session id)',
      );
    sessionId = open.id;
  }
  const done = await completeSession(db, sessionId, options.result ?? 'approved', now, { projectId });
  return done;
}
