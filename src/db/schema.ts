// The database as kysely sees it. The migrations in migrations.ts are the source of truth.
import type { ColumnType, Generated, RawBuilder } from 'kysely';
import type { Json, JsonObject } from '../model/project-settings.js';
import type { ManifestRead } from '../manifest/read/source-key.js';
import type { DirtyFile, WrittenValues } from '../audit/values-as-written.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ProjectsTable {
  id: string;
  name: string;
  description: string | null;
  region: string | null;
  labels: ColumnType<Record<string, string>, string, string>;
  status: string;
  submissions: string;
  private_mode: boolean;
  token_pre_registration: boolean;
  token_expiration_mode: string;
  token_expiration_seconds: number | null;
  token_delete_on_expiration: boolean;
  token_volume_start_threshold: number | null;
  token_volume_ratio: number | null;
  token_volume_priority: string | null;
  encrypted_only: boolean;
  /** Sorted: {ECB}, {GCM} or {ECB,GCM} (migration 007). Written through textArray(). */
  encryption_methods: ColumnType<string[], RawBuilder<string[]> | undefined, RawBuilder<string[]>>;
  privacy_protection: boolean;
  secure_transmission: boolean;
  secure_transmission_public_key: string | null;
  api_key_rotation: Generated<number | null>;
  api_key_previous_valid_seconds: Generated<number | null>;
  /** Bumped by triggers on every write to the project's rows (migration 004). */
  revision: Generated<string>;
  /** revision when apply last recorded the manifest source below. */
  applied_revision: Generated<string | null>;
  manifest_digest: Generated<string | null>;
  manifest_file_projects: Generated<number | null>;
  manifest_reads: ColumnType<ManifestRead[] | null, string | undefined, string | null>;
  /** The applied file's warnings and lint ignores (migration 013), checked when read back. */
  manifest_findings: ColumnType<unknown, string | undefined, string | null>;
  encryption_retired_valid_seconds: Generated<number | null>;
  webhook_url: Generated<string | null>;
  webhook_events: ColumnType<string[] | null, string | null | undefined, string | null>;
  webhook_secret_rotation: Generated<number | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AuthMethodsTable {
  project_id: string;
  method: string;
  enabled: boolean;
  user_policy: ColumnType<JsonObject, string, string>;
  mfa: ColumnType<JsonObject, string, string>;
  fraud_detection: ColumnType<JsonObject, string, string>;
}

export interface IpWhitelistTable {
  project_id: string;
  scope: string;
  range: string;
}

export interface AdminsTable {
  project_id: string;
  email: string;
  role: Generated<string>;
  added_at: Timestamp;
}

export interface EncryptionKeysTable {
  project_id: string;
  name: string;
  /** The generation of the key under this name (`rotate: N` in the manifest); the highest is current. */
  rotation: Generated<number>;
  status: string;
  /** Legacy clear material from before migration 005; NULL once sealed (never written now). */
  material: Uint8Array | null;
  /** The material sealed with the master key (src/keys/sealed-columns.ts); read only to open or reveal it. */
  sealed: Uint8Array | null;
  fingerprint: string;
  created_at: Timestamp;
  retired_at: Date | null;
  /** When this generation stops opening URLs (NULL: it does not, while it is current and active). */
  valid_until: Date | null;
  revealed_at: Date | null;
  revealed_by: string | null;
}

export interface AdminLoginsTable {
  id: Generated<string>;
  email: string;
  logged_in_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
  /** How the sign-in was attempted, whether it succeeded, and why not (migration 011). */
  method: string | null;
  outcome: string | null;
  reason: string | null;
}

/** One row per `argosctl drift` run (migration 013). */
export interface DriftChecksTable {
  checked_at: Timestamp;
  /** Project id → how many settings differ, for the projects that drifted only. */
  drifted: ColumnType<Record<string, number>, string, string>;
  /** Projects in the database that no manifest names. */
  unmanaged: ColumnType<string[], string[] | undefined, string[]>;
}

export interface DashboardSessionsTable {
  /** SHA-256 of the cookie's value: the table alone signs nobody in. */
  id_hash: Uint8Array;
  email: string;
  method: string;
  csrf_token: string;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Date;
  ended_at: Date | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  applied_at: Timestamp;
  actor: string;
  git_commit: string | null;
  git_branch: string | null;
  git_author: string | null;
  pr_number: number | null;
  plan_digest: string;
  project_id: string;
  action: string;
  path: string;
  member: string | null;
  before: ColumnType<Json, string | null, string | null>;
  after: ColumnType<Json, string | null, string | null>;
  reason: string;
  /** The manifest files differed from the commit when applied (migration 009). */
  dirty: Generated<boolean>;
  /** As the manifest wrote it (src/audit/values-as-written.ts): `{after}` or, on create, `{settings}`. */
  written: ColumnType<WrittenValues | null, string | null | undefined, string | null>;
}

export interface AppliedPlansTable {
  plan_digest: string;
  applied_at: Timestamp;
  actor: string;
  change_count: number;
  dirty: Generated<boolean>;
  /** When dirty: the manifest files that differed from the commit, with the digest of what was applied. */
  dirty_files: ColumnType<DirtyFile[] | null, string | null | undefined, string | null>;
}

/** Operations outside plans that change nothing a manifest says but belong in the audit trail. */
export interface AuditEventsTable {
  id: Generated<string>;
  at: Timestamp;
  kind: 'rewrap' | 'redrive';
  actor: string;
  project_id: string | null;
  detail: ColumnType<JsonObject, string | undefined, string>;
}

export interface TokensTable {
  project_id: string;
  token_id: string;
  registered_at: Timestamp;
  first_used_at: Date | null;
  expires_at: Date | null;
  expired_at: Date | null;
  completed_at: Date | null;
}

export interface TokenCountsTable {
  project_id: string;
  registered: number;
}

/** Marked-expired tokens per project, spread over stripes (migration 015): the count is their sum. */
export interface TokenExpiredCountsTable {
  project_id: string;
  stripe: number;
  expired: number;
}

/** Tokens deleted by ID per project, in stripes not yet folded into token_counts (migration 016). */
export interface TokenDeletedCountsTable {
  project_id: string;
  stripe: number;
  deleted: number;
}

export interface TokenEventsTable {
  id: Generated<string>;
  project_id: string;
  payload: ColumnType<Json, string, string>;
  created_at: Timestamp;
  delivered_at: Date | null;
  attempts: Generated<number>;
  /** NULL: due now. While a worker holds the event, the end of its lease. */
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  /** Our own short description of the last failure (never the receiver's response body). */
  last_error: string | null;
  claimed_by: string | null;
  dead_at: Date | null;
  /** Its project has no webhook for it: out of the claim's way until one is declared (migration 017). */
  parked: Generated<boolean>;
}

export interface PruneRunsTable {
  id: Generated<string>;
  tick: Date | null;
  project_id: string;
  started_at: Timestamp;
  finished_at: Timestamp;
  duration_ms: number;
  expired_marked: number;
  expired_deleted: number;
  volume_deleted: number;
  registered_before: number;
  registered_after: number;
  reason: string;
  outcome: string;
}

export interface WorkerTicksTable {
  tick: Timestamp;
  claimed_by: string;
  claimed_at: Timestamp;
  finished_at: Date | null;
  status: string;
}

export interface ApiKeysTable {
  project_id: string;
  rotation: number;
  /** SHA-256 of the key: what requests are compared against. */
  key_hash: Uint8Array;
  fingerprint: string;
  created_at: Timestamp;
  valid_until: Date | null;
  /** The plaintext sealed with the master key until its one reveal; then NULL. */
  sealed: Uint8Array | null;
  revealed_at: Date | null;
  revealed_by: string | null;
}

export interface WebhookSecretsTable {
  project_id: string;
  rotation: number;
  fingerprint: string;
  /** Sealed with the master key for good: the worker opens it to sign every delivery. */
  sealed: Uint8Array;
  created_at: Timestamp;
  /** NULL for the current secret; a rotated-away secret still signs until then. */
  valid_until: Date | null;
  revealed_at: Date | null;
  revealed_by: string | null;
}

export interface KeyRevealsTable {
  id: Generated<string>;
  project_id: string;
  secret: string;
  rotation: number;
  fingerprint: string;
  revealed_by: string;
  revealed_at: Timestamp;
}

export interface LiveformSessionsTable {
  id: string;
  project_id: string;
  token_id: string | null;
  pre_registered: boolean;
  client_ip: string | null;
  started_at: Timestamp;
  completed_at: Date | null;
  result: string | null;
  /** Private mode without pre-registration: which URL this session admitted (src/tokens/url-identity.ts). */
  url_digest: Generated<string | null>;
}

export interface ServiceTransmissionKeysTable {
  project_id: string;
  /** SPKI PEM of the service's key pair for this project: clients seal request bodies for it. */
  public_key: string;
  fingerprint: string;
  /** The private key (PKCS#8 DER), sealed with the master key. */
  sealed: Uint8Array;
  created_at: Generated<Date>;
}

export interface TokenUsesTable {
  project_id: string;
  token_id: string;
  first_used_at: Timestamp;
  final_result: string | null;
  final_at: Date | null;
}

/** Hourly counts of what serve answered (migration 012). */
export interface TrafficFactsTable {
  project_id: string;
  hour: Date;
  route: string;
  outcome: string;
  caller: string;
  encryption: string;
  token: string;
  key_rotation: number;
  count: string | number;
}

/** One row: which master key the sealed columns are sealed with (migration 018). */
export interface MasterKeyCheckTable {
  id: Generated<boolean>;
  /** HMAC-SHA256 of a fixed text under the master key (keys/master-key-check.ts). */
  check_value: Uint8Array;
  recorded_at: Generated<Date>;
}

export interface DatabaseSchema {
  api_keys: ApiKeysTable;
  key_reveals: KeyRevealsTable;
  webhook_secrets: WebhookSecretsTable;
  liveform_sessions: LiveformSessionsTable;
  service_transmission_keys: ServiceTransmissionKeysTable;
  token_uses: TokenUsesTable;
  tokens: TokensTable;
  token_counts: TokenCountsTable;
  token_expired_counts: TokenExpiredCountsTable;
  token_deleted_counts: TokenDeletedCountsTable;
  token_events: TokenEventsTable;
  prune_runs: PruneRunsTable;
  worker_ticks: WorkerTicksTable;
  projects: ProjectsTable;
  auth_methods: AuthMethodsTable;
  ip_whitelist: IpWhitelistTable;
  admins: AdminsTable;
  encryption_keys: EncryptionKeysTable;
  admin_logins: AdminLoginsTable;
  dashboard_sessions: DashboardSessionsTable;
  drift_checks: DriftChecksTable;
  audit_log: AuditLogTable;
  applied_plans: AppliedPlansTable;
  audit_events: AuditEventsTable;
  traffic_facts: TrafficFactsTable;
  master_key_check: MasterKeyCheckTable;
}
