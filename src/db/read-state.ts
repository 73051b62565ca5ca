// The state reader: every managed project in a fixed number of queries, whatever their count.
// It only reports what is there; deciding what to change is the planner's job.
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { GuardError } from '../errors.js';
import {
  AUTH_METHODS,
  emptyAuthMethod,
  sortedMethods,
  type AdminRole,
  type AuthMethodName,
  type ProjectSettings,
  type Status,
  type Submissions,
} from '../model/project-settings.js';
import type { OutsideGitNote } from '../plan/plan-types.js';
import { readRevisions, type ProjectRevision } from './applied-sources.js';
import type { DatabaseSchema } from './schema.js';
import { jsonb } from './sql-values.js';

/** The last break-glass action on a project (emergency stop or resume outside git). */
export type BreakGlassNote = OutsideGitNote;

export interface CurrentState {
  breakGlass: Map<string, BreakGlassNote>;
  /** The projects read in full: all in scope, but those skipped as unchanged. */
  projects: Map<string, ProjectSettings>;
  /** Every project id in scope, skipped or not, sorted. */
  ids: string[];
  /**
   * Digest of every project id in scope and its revision (which triggers bump on any write to its
   * rows): binds a saved plan to what it saw, whether or not its projects were skipped.
   */
  fingerprint: string;
}

const PROJECT_COLUMNS = [
  'id',
  'name',
  'description',
  'region',
  'labels',
  'status',
  'submissions',
  'private_mode',
  'token_pre_registration',
  'token_expiration_mode',
  'token_expiration_seconds',
  'token_delete_on_expiration',
  'token_volume_start_threshold',
  'token_volume_ratio',
  'token_volume_priority',
  'encrypted_only',
  'encryption_methods',
  'privacy_protection',
  'secure_transmission',
  'secure_transmission_public_key',
  'api_key_rotation',
  'api_key_previous_valid_seconds',
  'encryption_retired_valid_seconds',
  'webhook_url',
  'webhook_events',
  'webhook_secret_rotation',
] as const;

/** The database stores roles in lower case (migration 001): `owner` → `Owner`. */
function roleOf(stored: string): AdminRole {
  return (stored.charAt(0).toUpperCase() + stored.slice(1)) as AdminRole;
}

/**
 * `skipped`: projects whose files were skipped, with the revisions that let them be; each must
 * still be at that revision and recorded the same (else the database changed meanwhile: an error
 * that asks to run again). Their rows are not read. `known`: the revisions the skip was decided on,
 * used as they are instead of read again (not under apply's lock, where they must be read again).
 */
export async function readState(
  db: Kysely<DatabaseSchema>,
  only?: readonly string[],
  skipped: ReadonlyMap<string, ProjectRevision> = new Map(),
  known?: ReadonlyMap<string, ProjectRevision>,
): Promise<CurrentState> {
  const scope = only && only.length > 0 ? [...new Set(only)] : undefined;
  if (skipped.size === 0) {
    const { revisions, ...rows } = await readRows(db, scope);
    return { ...rows, ids: [...revisions.keys()].sort(), fingerprint: fingerprintOf(revisions) };
  }
  const all = known ?? (await readRevisions(db));
  for (const [id, seen] of skipped) {
    const now = all.get(id);
    if (!now?.applied || now.revision !== seen.revision || now.applied.key !== seen.applied?.key) {
      throw new GuardError(
        `project "${id}" changed in the database while argosctl read the manifests`,
        'run the command again',
      );
    }
  }
  const inScope = scope && new Set(scope);
  const revisions = new Map([...all].filter(([id]) => !inScope || inScope.has(id)));
  const ids = [...revisions.keys()].sort();
  const { projects, breakGlass } = await readRows(
    db,
    ids.filter((id) => !skipped.has(id)),
  );
  return {
    projects,
    breakGlass,
    ids,
    fingerprint: fingerprintOf(new Map([...revisions].map(([id, r]) => [id, r.revision]))),
  };
}

function fingerprintOf(revisions: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const id of [...revisions.keys()].sort()) hash.update(`${id}\0${revisions.get(id)}\n`);
  return `sha256:${hash.digest('hex')}`;
}

type Rows = Pick<CurrentState, 'projects' | 'breakGlass'> & { revisions: Map<string, string> };

/** The full rows of the projects `only` names (all without it), and their revisions. */
async function readRows(db: Kysely<DatabaseSchema>, only?: readonly string[]): Promise<Rows> {
  if (only && only.length === 0) return { projects: new Map(), breakGlass: new Map(), revisions: new Map() };
  // A JSON array, not `in ($1, …)`: 100,000 ids would pass the 65,535-parameter limit.
  const filter = only ? sql<string>`(select jsonb_array_elements_text(${jsonb(only)}))` : undefined;
  const [projectRows, methodRows, ipRows, adminRows, keyRows, breakGlassRows] = await Promise.all([
    // Only the columns a plan compares: no timestamps to parse into 10,000 Date objects.
    db
      .selectFrom('projects')
      .select([...PROJECT_COLUMNS, sql<string>`revision::text`.as('revision')])
      .$if(!!filter, (q) => q.where('id', 'in', filter!))
      .orderBy('id')
      .execute(),
    db
      .selectFrom('auth_methods')
      .select(['project_id', 'method', 'enabled', 'user_policy', 'mfa', 'fraud_detection'])
      .$if(!!filter, (q) => q.where('project_id', 'in', filter!))
      .execute(),
    db
      .selectFrom('ip_whitelist')
      .select(['project_id', 'scope', (eb) => eb.cast<string>('range', 'text').as('range')])
      .$if(!!filter, (q) => q.where('project_id', 'in', filter!))
      .execute(),
    db
      .selectFrom('admins')
      .select(['project_id', 'email', 'role'])
      .$if(!!filter, (q) => q.where('project_id', 'in', filter!))
      .execute(),
    // The current generation of each key (the highest rotation); older ones only wait out their grace.
    db
      .selectFrom('encryption_keys')
      .distinctOn(['project_id', 'name'])
      .select(['project_id', 'name', 'rotation', 'status'])
      .$if(!!filter, (q) => q.where('project_id', 'in', filter!))
      .orderBy('project_id')
      .orderBy('name')
      .orderBy('rotation', 'desc')
      .execute(),
    // The last write to submissions per project: a note only when break-glass made it (an apply since then means git knows).
    db
      .selectFrom('audit_log')
      .distinctOn('project_id')
      .select(['project_id', 'action', 'actor', 'applied_at', 'reason'])
      .where('path', '=', 'spec.submissions')
      // For a few projects (the dashboard reads one), = any(array) lets the planner use the
      // (project_id, id) index; `in (subquery)` scans the whole audit log (200 ms at a million rows).
      .$if(!!filter && only!.length <= 100, (q) =>
        q.where('project_id', '=', sql<string>`any(cast(${[...only!]} as text[]))`),
      )
      .$if(!!filter && only!.length > 100, (q) => q.where('project_id', 'in', filter!))
      .orderBy('project_id')
      .orderBy('id', 'desc')
      .execute(),
  ]);

  const projects = new Map<string, ProjectSettings>();
  const revisions = new Map<string, string>();
  for (const r of projectRows) {
    revisions.set(r.id, r.revision);
    projects.set(r.id, {
      id: r.id,
      name: r.name,
      description: r.description,
      region: r.region,
      labels: r.labels ?? {},
      status: r.status as Status,
      submissions: r.submissions as Submissions,
      authMethods: { idDocument: emptyAuthMethod(), knowledgeBased: emptyAuthMethod() },
      privateMode: r.private_mode,
      tokenPreRegistration: r.token_pre_registration,
      tokenExpirationMode: r.token_expiration_mode as ProjectSettings['tokenExpirationMode'],
      tokenExpirationSeconds: r.token_expiration_seconds,
      tokenDeleteOnExpiration: r.token_delete_on_expiration,
      tokenVolumeStartThreshold: r.token_volume_start_threshold,
      tokenVolumeRatio: r.token_volume_ratio,
      tokenVolumePriority: r.token_volume_priority as ProjectSettings['tokenVolumePriority'],
      encryptedOnly: r.encrypted_only,
      encryptionMethods: sortedMethods(r.encryption_methods),
      encryptionKeys: [],
      encryptionRetiredValidSeconds: r.encryption_retired_valid_seconds,
      privacyProtection: r.privacy_protection,
      secureTransmission: r.secure_transmission,
      secureTransmissionPublicKey: r.secure_transmission_public_key,
      apiKeyRotation: r.api_key_rotation,
      apiKeyPreviousValidSeconds: r.api_key_previous_valid_seconds,
      webhookUrl: r.webhook_url,
      webhookEvents: r.webhook_events,
      webhookSecretRotation: r.webhook_secret_rotation,
      ipWhitelistDashboard: [],
      ipWhitelistApi: [],
      admins: [],
    });
  }
  for (const r of methodRows) {
    const p = projects.get(r.project_id);
    if (p && (AUTH_METHODS as readonly string[]).includes(r.method)) {
      p.authMethods[r.method as AuthMethodName] = {
        enabled: r.enabled,
        userPolicy: r.user_policy,
        mfa: r.mfa,
        fraudDetection: r.fraud_detection,
      };
    }
  }
  for (const r of ipRows)
    projects.get(r.project_id)?.[r.scope === 'api' ? 'ipWhitelistApi' : 'ipWhitelistDashboard'].push(r.range);
  for (const r of adminRows) projects.get(r.project_id)?.admins.push({ email: r.email, role: roleOf(r.role) });
  for (const r of keyRows) {
    projects.get(r.project_id)?.encryptionKeys.push({
      name: r.name,
      status: r.status as 'active' | 'retired',
      ...(r.rotation > 1 ? { rotate: r.rotation } : {}),
    });
  }
  for (const p of projects.values()) {
    p.ipWhitelistApi.sort();
    p.ipWhitelistDashboard.sort();
    p.admins.sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
    p.encryptionKeys.sort((a, b) => a.name.localeCompare(b.name));
  }
  const breakGlass = new Map(
    breakGlassRows
      .filter((r) => r.action === 'emergency-stop' || r.action === 'emergency-resume')
      .map((r) => [
        r.project_id,
        {
          action: r.action as BreakGlassNote['action'],
          actor: r.actor,
          at: new Date(r.applied_at).toISOString(),
          reason: r.reason,
        },
      ]),
  );
  return { projects, breakGlass, revisions };
}
