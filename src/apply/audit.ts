// The audit trail: one row per applied change, with who, which commit, when and which plan.
import type { RawBuilder, Transaction } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { chunksFor, jsonb } from '../db/sql-values.js';
import type { Change, GitInfo } from '../plan/plan-types.js';
import type { StatementCounter } from './fault-injection.js';
import { shownValue, type WrittenSetting } from '../audit/values-as-written.js';
import { settingKey } from '../model/flatten.js';
import { formatSettingValue } from '../render/format-value.js';

export interface ApplyContext {
  actor: string;
  git: GitInfo;
}

/** What the audit row keeps of the manifest's own words (src/audit/values-as-written.ts). */
function writtenOf(c: Change): RawBuilder<string> | null {
  if (c.action === 'create') {
    const settings: WrittenSetting[] = (c.settings ?? []).map((s) => ({
      setting: settingKey(s.path, s.member),
      value:
        s.member !== undefined
          ? formatSettingValue(settingKey(s.path, s.member), s.value)
          : shownValue(s.path, s.value, s.written),
      ...(s.default ? { default: true as const } : {}),
    }));
    return jsonb({ settings });
  }
  if (!c.written && !c.default) return null;
  return jsonb({ ...(c.written ? { after: c.written } : {}), ...(c.default ? { default: true } : {}) });
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
    dirty: ctx.git.dirty === true,
    written: writtenOf(c),
  }));
  for (const chunk of chunksFor(rows)) await counter.run(() => tx.insertInto('audit_log').values(chunk).execute());
}
