// The state reader: every managed project in a fixed number of queries, whatever their count.
// It only reports what is there; deciding what to change is the planner's job.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AUTH_METHODS, emptyAuthMethod, type AuthMethodName, type ProjectSettings, type Status, type Submissions } from '../model/project-settings.js';
import type { OutsideGitNote } from '../plan/plan-types.js';
import type { DatabaseSchema } from './schema.js';

/** The last break-glass action on a project (emergency stop or resume outside git). */
export type BreakGlassNote = OutsideGitNote;

export interface CurrentState {
  breakGlass: Map<string, BreakGlassNote>;
  projects: Map<string, ProjectSettings>;
  /** Digest of every row read (no secret material is read): binds a saved plan to what it saw. */
  fingerprint: string;
}

const PROJECT_COLUMNS = ['id', 'name', 'description', 'region', 'labels', 'status', 'submissions', 'private_mode', 'token_pre_registration',
  'token_expiration_mode', 'token_expiration_seconds', 'token_delete_on_expiration', 'token_volume_start_threshold', 'token_volume_ratio',
  'token_volume_priority', 'encrypted_only', 'encryption_method', 'privacy_protection', 'secure_transmission', 'secure_transmission_public_key',
  'api_key_rotation', 'api_key_previous_valid_seconds', 'webhook_url', 'webhook_events', 'webhook_secret_rotation',
] as const;

export async function readState(db: Kysely<DatabaseSchema>, only?: readonly string[]): Promise<CurrentState> {
  const filter = only && only.length > 0 ? only : undefined;
  const [projectRows, methodRows, ipRows, adminRows, keyRows, breakGlassRows] = await Promise.all([
    // Only the columns a plan compares: no timestamps to parse into 10,000 Date objects.
    db.selectFrom('projects').select(PROJECT_COLUMNS).$if(!!filter, (q) => q.where('id', 'in', filter!)).orderBy('id').execute(),
    db.selectFrom('auth_methods').select(['project_id', 'method', 'enabled', 'user_policy', 'mfa', 'fraud_detection']).$if(!!filter, (q) => q.where('project_id', 'in', filter!)).execute(),
    db.selectFrom('ip_whitelist').select(['project_id', 'scope', (eb) => eb.cast<string>('range', 'text').as('range')]).$if(!!filter, (q) => q.where('project_id', 'in', filter!)).execute(),
    db.selectFrom('admins').select(['project_id', 'email']).$if(!!filter, (q) => q.where('project_id', 'in', filter!)).execute(),
    db.selectFrom('encryption_keys').select(['project_id', 'name', 'status', 'created_at']).$if(!!filter, (q) => q.where('project_id', 'in', filter!)).execute(),
    // The last write to submissions per project: a note only when break-glass made it (an apply since then means git knows).
    db.selectFrom('audit_log').distinctOn('project_id').select(['project_id', 'action', 'actor', 'applied_at', 'reason'])
      .where('path', '=', 'spec.submissions').$if(!!filter, (q) => q.where('project_id', 'in', filter!))
      .orderBy('project_id').orderBy('id', 'desc').execute(),
  ]);

  const projects = new Map<string, ProjectSettings>();
  for (const r of projectRows) {
    projects.set(r.id, {
      id: r.id, name: r.name, description: r.description, region: r.region, labels: r.labels ?? {},
      status: r.status as Status, submissions: r.submissions as Submissions,
      authMethods: { idDocument: emptyAuthMethod(), knowledgeBased: emptyAuthMethod() },
      privateMode: r.private_mode, tokenPreRegistration: r.token_pre_registration,
      tokenExpirationMode: r.token_expiration_mode as ProjectSettings['tokenExpirationMode'], tokenExpirationSeconds: r.token_expiration_seconds,
      tokenDeleteOnExpiration: r.token_delete_on_expiration,
      tokenVolumeStartThreshold: r.token_volume_start_threshold, tokenVolumeRatio: r.token_volume_ratio,
      tokenVolumePriority: r.token_volume_priority as ProjectSettings['tokenVolumePriority'],
      encryptedOnly: r.encrypted_only, encryptionMethod: r.encryption_method as ProjectSettings['encryptionMethod'], encryptionKeys: [],
      privacyProtection: r.privacy_protection, secureTransmission: r.secure_transmission, secureTransmissionPublicKey: r.secure_transmission_public_key,
      apiKeyRotation: r.api_key_rotation, apiKeyPreviousValidSeconds: r.api_key_previous_valid_seconds,
      webhookUrl: r.webhook_url, webhookEvents: r.webhook_events, webhookSecretRotation: r.webhook_secret_rotation,
      ipWhitelistDashboard: [], ipWhitelistApi: [], admins: [],
    });
  }
  for (const r of methodRows) {
    const p = projects.get(r.project_id);
    if (p && (AUTH_METHODS as readonly string[]).includes(r.method)) {
      p.authMethods[r.method as AuthMethodName] = { enabled: r.enabled, userPolicy: r.user_policy, mfa: r.mfa, fraudDetection: r.fraud_detection };
    }
  }
  for (const r of ipRows) projects.get(r.project_id)?.[r.scope === 'api' ? 'ipWhitelistApi' : 'ipWhitelistDashboard'].push(r.range);
  for (const r of adminRows) projects.get(r.project_id)?.admins.push(r.email);
  const keyTimes: string[] = [];
  for (const r of keyRows) {
    projects.get(r.project_id)?.encryptionKeys.push({ name: r.name, status: r.status as 'active' | 'retired' });
    keyTimes.push(`${r.project_id}/${r.name}@${new Date(r.created_at).toISOString()}`);
  }
  const hash = createHash('sha256');
  for (const p of projects.values()) {
    p.ipWhitelistApi.sort();
    p.ipWhitelistDashboard.sort();
    p.admins.sort();
    p.encryptionKeys.sort((a, b) => a.name.localeCompare(b.name));
    // Plain JSON, not canonical: every object here is built in a fixed key order, and jsonb
    // values come back in PostgreSQL's own stable key order, so equal rows give equal text
    // (canonicalJson cost ~0.4 s at 10,000 projects).
    hash.update(JSON.stringify(p)).update('\n');
  }
  hash.update(keyTimes.sort().join('\n'));
  const breakGlass = new Map(breakGlassRows.filter((r) => r.action === 'emergency-stop' || r.action === 'emergency-resume').map((r) => [r.project_id, {
    action: r.action as BreakGlassNote['action'], actor: r.actor, at: new Date(r.applied_at).toISOString(), reason: r.reason,
  }]));
  return { projects, breakGlass, fingerprint: `sha256:${hash.digest('hex')}` };
}
