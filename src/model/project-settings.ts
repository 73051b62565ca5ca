// The typed state of one ARGOS project: what a manifest asks for and what the database holds,
// in one normalized shape so the two can be compared field by field. No secrets live here.
export const STATUSES = ['TRIAL', 'TEST', 'OPEN', 'CLOSE'] as const;
export type Status = (typeof STATUSES)[number];
export type Submissions = 'normal' | 'emergency-stop';
export const AUTH_METHODS = ['idDocument', 'knowledgeBased'] as const;
export type AuthMethodName = (typeof AUTH_METHODS)[number];
export const OPTION_GROUPS = ['userPolicy', 'mfa', 'fraudDetection'] as const;
export type OptionGroup = (typeof OPTION_GROUPS)[number];

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface AuthMethodSettings {
  enabled: boolean;
  userPolicy: JsonObject;
  mfa: JsonObject;
  fraudDetection: JsonObject;
}

/** The AES-256 modes of encrypted Liveform URLs, in the sorted order settings keep them in. */
export const ENCRYPTION_METHODS = ['ECB', 'GCM'] as const;
export type EncryptionMethod = (typeof ENCRYPTION_METHODS)[number];

/** Dashboard roles (the manifest's spelling; the database stores them in lower case). */
export const ADMIN_ROLES = ['Owner', 'Leader', 'Member', 'Guest'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

export interface AdminRef {
  /** Lower case: compared case-insensitively, each once. */
  email: string;
  role: AdminRole;
}

/** A set of methods as settings keep it: each once, in ENCRYPTION_METHODS order. */
export function sortedMethods(methods: readonly string[]): EncryptionMethod[] {
  return ENCRYPTION_METHODS.filter((m) => methods.includes(m));
}
/** How long a retired or rotated-out encryption key keeps opening URLs when the manifest does not say. */
export const DEFAULT_RETIRED_KEY_VALID_SECONDS = 7 * 86_400;

export interface EncryptionKeyRef {
  name: string;
  status: 'active' | 'retired';
  /** The key's generation when above 1: raising it issues new material under the same name. */
  rotate?: number;
}

export interface ProjectSettings {
  id: string;
  name: string;
  description: string | null;
  region: string | null;
  labels: Record<string, string>;
  status: Status;
  submissions: Submissions;
  authMethods: Record<AuthMethodName, AuthMethodSettings>;
  privateMode: boolean;
  tokenPreRegistration: boolean;
  tokenExpirationMode: 'none' | 'count' | 'time';
  tokenExpirationSeconds: number | null;
  tokenDeleteOnExpiration: boolean;
  tokenVolumeStartThreshold: number | null;
  tokenVolumeRatio: number | null;
  tokenVolumePriority: 'oldest-first' | 'newest-first' | null;
  encryptedOnly: boolean;
  /** The methods encrypted URLs may use (sorted, never empty). */
  encryptionMethods: EncryptionMethod[];
  encryptionKeys: EncryptionKeyRef[];
  /** How long a retired or rotated-out key keeps opening URLs (null: the default, 7 days). */
  encryptionRetiredValidSeconds: number | null;
  privacyProtection: boolean;
  secureTransmission: boolean;
  /** PEM text of the public key: public by nature, so it may be shown (as a fingerprint). */
  secureTransmissionPublicKey: string | null;
  /** Bumping it issues a new API key at apply (null: the project has no API key). */
  apiKeyRotation: number | null;
  /** How long the previous API key keeps working after a rotation. */
  apiKeyPreviousValidSeconds: number | null;
  /** Where events are POSTed (null: the project has no webhook). */
  webhookUrl: string | null;
  /** The events delivered, sorted (null when there is no webhook). */
  webhookEvents: string[] | null;
  /** Bumping it issues a new signing secret at apply (null when there is no webhook). */
  webhookSecretRotation: number | null;
  ipWhitelistDashboard: string[];
  ipWhitelistApi: string[];
  /** Sorted by email. */
  admins: AdminRef[];
}

export function emptyAuthMethod(): AuthMethodSettings {
  return { enabled: false, userPolicy: {}, mfa: {}, fraudDetection: {} };
}
