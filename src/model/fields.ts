// The catalogue that ties each setting's manifest path to where it lives in the database.
// The planner flattens settings through it and the applier writes through it: one list, no drift.
import { checkIpv4Entry } from '../util/ipv4.js';
import type { AuthMethodName, Json, OptionGroup, ProjectSettings } from './project-settings.js';

export interface ScalarField {
  path: string;
  column: string;
  get(s: ProjectSettings): Json;
}

export const SCALAR_FIELDS: readonly ScalarField[] = [
  { path: 'metadata.name', column: 'name', get: (s) => s.name },
  { path: 'metadata.description', column: 'description', get: (s) => s.description },
  { path: 'metadata.region', column: 'region', get: (s) => s.region },
  { path: 'metadata.labels', column: 'labels', get: (s) => s.labels },
  { path: 'spec.status', column: 'status', get: (s) => s.status },
  { path: 'spec.submissions', column: 'submissions', get: (s) => s.submissions },
  { path: 'spec.liveform.privateMode', column: 'private_mode', get: (s) => s.privateMode },
  {
    path: 'spec.liveform.tokens.preRegistration',
    column: 'token_pre_registration',
    get: (s) => s.tokenPreRegistration,
  },
  { path: 'spec.liveform.tokens.expiration.mode', column: 'token_expiration_mode', get: (s) => s.tokenExpirationMode },
  {
    path: 'spec.liveform.tokens.expiration.after',
    column: 'token_expiration_seconds',
    get: (s) => s.tokenExpirationSeconds,
  },
  {
    path: 'spec.liveform.tokens.deletion.onExpiration',
    column: 'token_delete_on_expiration',
    get: (s) => s.tokenDeleteOnExpiration,
  },
  {
    path: 'spec.liveform.tokens.deletion.byVolume.startThreshold',
    column: 'token_volume_start_threshold',
    get: (s) => s.tokenVolumeStartThreshold,
  },
  {
    path: 'spec.liveform.tokens.deletion.byVolume.ratio',
    column: 'token_volume_ratio',
    get: (s) => s.tokenVolumeRatio,
  },
  {
    path: 'spec.liveform.tokens.deletion.byVolume.priority',
    column: 'token_volume_priority',
    get: (s) => s.tokenVolumePriority,
  },
  { path: 'spec.encryption.encryptedOnly', column: 'encrypted_only', get: (s) => s.encryptedOnly },
  { path: 'spec.encryption.methods', column: 'encryption_methods', get: (s) => s.encryptionMethods },
  {
    path: 'spec.encryption.retiredKeyValidFor',
    column: 'encryption_retired_valid_seconds',
    get: (s) => s.encryptionRetiredValidSeconds,
  },
  { path: 'spec.security.privacyProtection', column: 'privacy_protection', get: (s) => s.privacyProtection },
  { path: 'spec.security.secureTransmission.enabled', column: 'secure_transmission', get: (s) => s.secureTransmission },
  {
    path: 'spec.security.secureTransmission.publicKey',
    column: 'secure_transmission_public_key',
    get: (s) => s.secureTransmissionPublicKey,
  },
  { path: 'spec.security.apiKey.rotation', column: 'api_key_rotation', get: (s) => s.apiKeyRotation },
  {
    path: 'spec.security.apiKey.previousKeyValidFor',
    column: 'api_key_previous_valid_seconds',
    get: (s) => s.apiKeyPreviousValidSeconds,
  },
  { path: 'spec.webhook.url', column: 'webhook_url', get: (s) => s.webhookUrl },
  { path: 'spec.webhook.events', column: 'webhook_events', get: (s) => s.webhookEvents },
  { path: 'spec.webhook.secretRotation', column: 'webhook_secret_rotation', get: (s) => s.webhookSecretRotation },
];

/** Scalar columns of type jsonb: written as JSON text and cast (the same on pg and PGlite). */
export const JSON_COLUMNS: ReadonlySet<string> = new Set(['labels', 'webhook_events']);

export const SCALAR_BY_PATH = new Map(SCALAR_FIELDS.map((f) => [f.path, f]));

/** Settings stored in seconds but written as durations (24h) in manifests: shown that way too. */
export const DURATION_PATHS: ReadonlySet<string> = new Set([
  'spec.liveform.tokens.expiration.after',
  'spec.encryption.retiredKeyValidFor',
  'spec.security.apiKey.previousKeyValidFor',
]);

/** Sets of members: each member is added, removed, or (keys) updated on its own. */
export type SetName = 'ipWhitelistDashboard' | 'ipWhitelistApi' | 'admins' | 'encryptionKeys';

export const SET_PATHS: Record<SetName, string> = {
  ipWhitelistDashboard: 'spec.security.ipWhitelist.dashboard',
  ipWhitelistApi: 'spec.security.ipWhitelist.api',
  admins: 'spec.admins',
  encryptionKeys: 'spec.encryption.keys',
};
export const SET_BY_PATH = new Map(Object.entries(SET_PATHS).map(([k, v]) => [v, k as SetName]));

/** The member key a raw manifest list item stands for (normalized as the planner compares it). */
export function memberKeyOfItem(set: SetName, item: unknown): string | undefined {
  if (set === 'ipWhitelistApi' || set === 'ipWhitelistDashboard') {
    const r = typeof item === 'string' ? checkIpv4Entry(item) : undefined;
    return r?.ok ? r.cidr : undefined;
  }
  const record = item as { email?: unknown; name?: unknown } | null;
  if (set === 'admins') return typeof record?.email === 'string' ? record.email.trim().toLowerCase() : undefined;
  return typeof record?.name === 'string' ? record.name : undefined;
}

/** Members of a set as key → value (the value holds member attributes, `{}` when it has none). */
export function setMembers(s: ProjectSettings, set: SetName): Map<string, Json> {
  if (set === 'encryptionKeys')
    return new Map(
      s.encryptionKeys.map((k) => [k.name, { status: k.status, ...(k.rotate ? { rotate: k.rotate } : {}) }]),
    );
  if (set === 'admins') return new Map(s.admins.map((a) => [a.email, { role: a.role }]));
  return new Map(s[set].map((m) => [m, {}]));
}

export function authMethodEnabledPath(method: AuthMethodName): string {
  return `spec.authMethods.${method}.enabled`;
}

export function authOptionPath(method: AuthMethodName, group: OptionGroup, key: string): string {
  return `spec.authMethods.${method}.${group}.${key}`;
}

export type ParsedAuthPath = { method: AuthMethodName; group: OptionGroup | 'enabled'; key?: string };

export function parseAuthPath(path: string): ParsedAuthPath | undefined {
  const m = /^spec\.authMethods\.(idDocument|knowledgeBased)\.(enabled|userPolicy|mfa|fraudDetection)(?:\.(.+))?$/.exec(
    path,
  );
  if (!m) return undefined;
  return { method: m[1] as AuthMethodName, group: m[2] as OptionGroup | 'enabled', key: m[3] };
}
