// The CLI's `tokens start` and `tokens complete`: a token alone at "Start Authentication" (over
// the admission core in admission.ts, which holds every rule), and marking it completed.
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { TokenError, TokenRefused } from './token-errors.js';
import { startAdmission } from './admission.js';
import { requireProject } from './token-store.js';

export interface StartResult {
  tokenId: string;
  /** false when the project does not use pre-registration (any token is accepted here). */
  preRegistered: boolean;
  /** When the token stops working: now for count-based, end of the window for time-based. */
  expiresAt: string | null;
}

/** `tokens start`: admission for a token alone; a refusal is thrown (exit 3 in the CLI). */
export async function startToken(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  tokenId: string,
  now: Date = new Date(),
): Promise<StartResult> {
  const outcome = await startAdmission(db, { projectId, tokenId }, now);
  if (!outcome.admitted) {
    if (outcome.code === 'invalid_project') throw new TokenError('invalid_project', outcome.message);
    throw new TokenRefused(outcome.code, outcome.message);
  }
  return { tokenId, preRegistered: outcome.preRegistered, expiresAt: outcome.preRegistered ? outcome.expiresAt : null };
}

/** The authentication finished: with private mode on, the token cannot start another. */
export async function completeToken(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  tokenId: string,
  now: Date = new Date(),
): Promise<void> {
  await requireProject(db, projectId);
  const done = await db
    .updateTable('tokens')
    .set({ completed_at: now })
    .where('project_id', '=', projectId)
    .where('token_id', '=', tokenId)
    .where('first_used_at', 'is not', null)
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) === 0)
    throw new TokenError(
      'token_not_found',
      `token "${tokenId}" is not registered for "${projectId}" or was never started`,
    );
}
