// The audit trail: one row per applied change, with who, which commit, when and which plan.
import type { Transaction } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { chunksFor, jsonb } from '../db/sql-values.js';
import type { Change, GitInfo } from '../plan/plan-types.js';
import type { StatementCounter } from './fault-injection.js';

export interface ApplyContext {
  actor: string;
  git: GitInfo;
}

export async function writeAuditRows(
  tx: Transaction<DatabaseSchema>,
  changes: readonly Change[],
  planDigest: string,
  ctx: ApplyContext,
  counter: StatementCounter,
): Promise<void> {
  const rows = changes.map((c) => ({
    actor: ctx.actor,
    git_commit: ctx.git.commit ?? null,
    git_branch: ctx.git.branch ?? null,
    git_author: ctx.git.author ?? null,
    pr_number: ctx.git.pr ?? null,
    plan_digest: planDigest,
    project_id: c.projectId,
    action: c.action,
    path: c.path,
    member: c.member ?? null,
    before: jsonb(c.before),
    after: jsonb(c.after),
    reason: c.reason,
  }));
  for (const chunk of chunksFor(rows)) await counter.run(() => tx.insertInto('audit_log').values(chunk).execute());
}
