// What the Liveform side calls when a user clicks "Start Authentication" with a token, and when
// the authentication completes. Expiry happens here: count-based at the first start, time-based
// once the window that opened at first use has passed.
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { TokenError, TokenRefused } from './token-errors.js';
import { writeExpiredEvents } from './token-events.js';
import { requireProject } from './token-store.js';

export interface StartResult {
  tokenId: string;
  /** false when the project does not use pre-registration (any token is accepted here). */
  preRegistered: boolean;
  /** When the token stops working: now for count-based, end of the window for time-based. */
  expiresAt: string | null;
}

export async function startToken(db: Kysely<DatabaseSchema>, projectId: string, tokenId: string, now: Date = new Date()): Promise<StartResult> {
  // A late expiry is written and committed before the refusal is thrown, so it is returned as a value.
  const outcome = await db.transaction().execute(async (tx): Promise<StartResult | TokenRefused> => {
    const project = await tx.selectFrom('projects').select(['token_pre_registration', 'token_expiration_mode', 'token_expiration_seconds', 'private_mode'])
      .where('id', '=', projectId).executeTakeFirst();
    if (!project) throw new TokenError('invalid_project', `project "${projectId}" does not exist`);
    if (!project.token_pre_registration) return { tokenId, preRegistered: false, expiresAt: null };

    const token = await tx.selectFrom('tokens').selectAll().where('project_id', '=', projectId).where('token_id', '=', tokenId).forUpdate().executeTakeFirst();
    if (!token) throw new TokenRefused('token_not_found', `token "${tokenId}" is not registered (or was deleted); the Liveform stays closed`);
    if (token.expired_at) throw new TokenRefused('token_expired', `token "${tokenId}" expired at ${new Date(token.expired_at).toISOString()}`);
    if (project.private_mode && token.completed_at) throw new TokenRefused('token_completed', `token "${tokenId}" already completed an authentication; private mode forbids reuse`);

    if (token.expires_at && new Date(token.expires_at) <= now) {
      // The window passed and no prune has marked it yet: mark it now, then refuse.
      await tx.updateTable('tokens').set({ expired_at: token.expires_at }).where('project_id', '=', projectId).where('token_id', '=', tokenId).execute();
      await writeExpiredEvents(tx, projectId, [{ tokenId, condition: 'time', at: new Date(token.expires_at) }]);
      return new TokenRefused('token_expired', `token "${tokenId}" expired at ${new Date(token.expires_at).toISOString()}`);
    }

    const firstUse = token.first_used_at ? new Date(token.first_used_at) : now;
    if (project.token_expiration_mode === 'count') {
      await tx.updateTable('tokens').set({ first_used_at: firstUse, expired_at: now }).where('project_id', '=', projectId).where('token_id', '=', tokenId).execute();
      await writeExpiredEvents(tx, projectId, [{ tokenId, condition: 'count', at: now }]);
      return { tokenId, preRegistered: true, expiresAt: now.toISOString() };
    }
    if (project.token_expiration_mode === 'time' && project.token_expiration_seconds) {
      const expiresAt = token.expires_at ? new Date(token.expires_at) : new Date(firstUse.getTime() + project.token_expiration_seconds * 1000);
      await tx.updateTable('tokens').set({ first_used_at: firstUse, expires_at: expiresAt }).where('project_id', '=', projectId).where('token_id', '=', tokenId).execute();
      return { tokenId, preRegistered: true, expiresAt: expiresAt.toISOString() };
    }
    await tx.updateTable('tokens').set({ first_used_at: firstUse }).where('project_id', '=', projectId).where('token_id', '=', tokenId).execute();
    return { tokenId, preRegistered: true, expiresAt: null };
  });
  if (outcome instanceof TokenRefused) throw outcome;
  return outcome;
}

/** The authentication finished: with private mode on, the token cannot start another. */
export async function completeToken(db: Kysely<DatabaseSchema>, projectId: string, tokenId: string, now: Date = new Date()): Promise<void> {
  await requireProject(db, projectId);
  const done = await db.updateTable('tokens').set({ completed_at: now }).where('project_id', '=', projectId).where('token_id', '=', tokenId).where('first_used_at', 'is not', null).executeTakeFirst();
  if (Number(done.numUpdatedRows) === 0) throw new TokenError('token_not_found', `token "${tokenId}" is not registered for "${projectId}" or was never started`);
}
