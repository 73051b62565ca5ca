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

export interface EncryptionKeyRef {
  name: string;
  status: 'active' | 'retired';
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
  encryptionMethod: 'ECB' | 'GCM';
  encryptionKeys: EncryptionKeyRef[];
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
  admins: string[];
}

export function emptyAuthMethod(): AuthMethodSettings {
  return { enabled: false, userPolicy: {}, mfa: {}, fraudDetection: {} };
}
