// Emergency stop and resume: act at once, outside git, under the apply lock, audited.
// The next plan shows the difference as drift, and apply will not lift a stop git does not know
// about without --allow emergency-resume (a risk class on the plan).
import { sql, type Kysely } from 'kysely';
import { UserError } from '../errors.js';
import type { DatabaseSchema } from '../db/schema.js';
import { jsonb } from '../db/sql-values.js';
import type { GitInfo } from '../plan/plan-types.js';
import { takeApplyLock, type LockOptions } from './apply-lock.js';

export type BreakGlassAction = 'emergency-stop' | 'emergency-resume';

export interface BreakGlassResult {
  changed: boolean;
  before: string;
  after: string;
}

export async function breakGlass(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  action: BreakGlassAction,
  reason: string,
  who: { actor: string; git: GitInfo; lock: LockOptions },
): Promise<BreakGlassResult> {
  if (!reason.trim()) throw new UserError('a reason is required', '--reason "what happened and who decided"');
  const after = action === 'emergency-stop' ? 'emergency-stop' : 'normal';
  return db.transaction().execute(async (tx) => {
    await takeApplyLock(tx, db, who.lock);
    const row = await tx
      .selectFrom('projects')
      .select('submissions')
      .where('id', '=', projectId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new UserError(`project "${projectId}" does not exist in the database`);
    if (row.submissions === after) return { changed: false, before: row.submissions, after };
    await tx
      .updateTable('projects')
      .set({ submissions: after, updated_at: sql`now()` } as never)
      .where('id', '=', projectId)
      .execute();
    await tx
      .insertInto('audit_log')
      .values({
        actor: who.actor,
        git_commit: who.git.commit ?? null,
        git_branch: who.git.branch ?? null,
        git_author: who.git.author ?? null,
        pr_number: who.git.pr ?? null,
        plan_digest: 'break-glass',
        project_id: projectId,
        action,
        path: 'spec.submissions',
        member: null,
        before: jsonb(row.submissions),
        after: jsonb(after),
        reason,
      })
      .execute();
    return { changed: true, before: row.submissions, after };
  });
}
