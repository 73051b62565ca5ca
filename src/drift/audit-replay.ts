// Replays the audit trail to the state the last applies left behind, per setting, with the row
// that set it. Break-glass rows are not part of it: they are changes made outside git.
import type { Kysely, Selectable } from 'kysely';
import type { AuditLogTable, DatabaseSchema } from '../db/schema.js';
import { flattenSettings, settingKey } from '../model/flatten.js';
import type { Json, ProjectSettings } from '../model/project-settings.js';

export interface AuditRef {
  id: string;
  appliedAt: string;
  actor: string;
  commit: string | null;
  pr: number | null;
  planDigest: string;
}

export interface AppliedValue {
  value: Json;
  setBy: AuditRef;
}

export type AppliedState = Map<string, Map<string, AppliedValue>>;

export type AuditRow = Pick<
  Selectable<AuditLogTable>,
  | 'id'
  | 'applied_at'
  | 'actor'
  | 'git_commit'
  | 'pr_number'
  | 'plan_digest'
  | 'project_id'
  | 'action'
  | 'path'
  | 'member'
  | 'after'
>;

export async function readApplyHistory(db: Kysely<DatabaseSchema>, projectId?: string): Promise<AuditRow[]> {
  return db
    .selectFrom('audit_log')
    .select([
      'id',
      'applied_at',
      'actor',
      'git_commit',
      'pr_number',
      'plan_digest',
      'project_id',
      'action',
      'path',
      'member',
      'after',
    ])
    .where('action', 'in', ['create', 'update', 'add', 'remove'])
    .$if(projectId !== undefined, (q) => q.where('project_id', '=', projectId!))
    .orderBy('id')
    .execute();
}

/** Pure: the last applied value of every setting, from audit rows in id order. */
export function replayAudit(rows: readonly AuditRow[]): AppliedState {
  const state: AppliedState = new Map();
  for (const r of rows) {
    const ref: AuditRef = {
      id: String(r.id),
      appliedAt: new Date(r.applied_at).toISOString(),
      actor: r.actor,
      commit: r.git_commit,
      pr: r.pr_number,
      planDigest: r.plan_digest,
    };
    if (r.action === 'create') {
      state.set(
        r.project_id,
        new Map(
          [...flattenSettings(r.after as unknown as ProjectSettings)].map(([k, v]) => [k, { value: v, setBy: ref }]),
        ),
      );
      continue;
    }
    const project = state.get(r.project_id) ?? new Map<string, AppliedValue>();
    state.set(r.project_id, project);
    const key = settingKey(r.path, r.member);
    if (r.action === 'remove' || r.after === null) project.set(key, { value: null, setBy: ref });
    else project.set(key, { value: r.after, setBy: ref });
  }
  return state;
}
