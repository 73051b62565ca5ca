/* Generated from schemas/*.json by `npm run gen:types`. Do not edit. */
/**
 * ARGOS score threshold: a preset (conservative 70, standard 50, open 40) or a custom value 1..99.
 */
export type ScoreThreshold = ("conservative" | "standard" | "open") | number;
export type CountryCode = string;
export type Duration = string;
export type Percentage = number;

/**
 * One ARGOS project, apiVersion argosctl/v1. Secrets never appear here: encryption key material is issued by argosctl at apply and stays in the database.
 */
export interface ProjectManifest {
  apiVersion: "argosctl/v1";
  kind: "Project";
  metadata: Metadata;
  spec: Spec;
}
export interface Metadata {
  /**
   * The ARGOS project id: the stable key, immutable once applied.
   */
  id: string;
  name: string;
  description?: string;
  /**
   * A region declared in argosctl.yaml; its managers and required settings apply.
   */
  region?: string;
  labels?: {
    [k: string]: string;
  };
}
export interface Spec {
  /**
   * TRIAL (try it), TEST (like OPEN without Pending), OPEN (official service; credit billing may occur), CLOSE (terminated).
   */
  status: "TRIAL" | "TEST" | "OPEN" | "CLOSE";
  /**
   * normal, or emergency-stop to halt Liveform and API submissions.
   */
  submissions?: "normal" | "emergency-stop";
  authMethods?: AuthMethods;
  liveform?: Liveform;
  encryption?: Encryption;
  security?: Security;
  admins?: Admin[];
}
export interface AuthMethods {
  idDocument?: IdDocumentMethod;
  knowledgeBased?: KnowledgeBasedMethod;
}
/**
 * ID document authentication (🪪): ID image plus selfie.
 */
export interface IdDocumentMethod {
  enabled: boolean;
  userPolicy?: IdDocumentUserPolicy;
  mfa?: Mfa;
  fraudDetection?: IdDocumentFraudDetection;
}
export interface IdDocumentUserPolicy {
  scoreThreshold?: ScoreThreshold;
  ageLimit?: number;
  blacklistCountries?: CountryCode[];
  rejectDuplicateUser?: boolean;
  /**
   * What would go to Pending is rejected instead.
   */
  automaticProcessingOnly?: boolean;
  approvedPeriod?: Duration;
  rejectedPeriod?: Duration;
  idRecognitionGuarantee?: boolean;
  supportedIdTypes?: {
    /**
     * @minItems 1
     */
    [k: string]: [
      "passport" | "national-id" | "drivers-license" | "residence-permit",
      ...("passport" | "national-id" | "drivers-license" | "residence-permit")[]
    ];
  };
}
export interface Mfa {
  sms?: boolean;
  email?: boolean;
}
export interface IdDocumentFraudDetection {
  faceMatch?: Threshold;
  selfieLiveness?: SelfieLiveness;
  faceDeduplication?: boolean;
  occludedFaceCheck?: boolean;
  faceAgeVerification?: boolean;
  proxyVpnDetection?: boolean;
  deviceVerification?: boolean;
  governmentDataVerification?: boolean;
  rateLimit?: RateLimit;
  mrzCheck?: MrzCheck;
  idLiveness?: IdLiveness;
  streamingCaptureOnly?: boolean;
}
export interface Threshold {
  enabled: boolean;
  threshold?: Percentage;
}
export interface SelfieLiveness {
  mode: "off" | "passive" | "active";
  threshold?: Percentage;
}
/**
 * Sliding-window submission rate limit.
 */
export interface RateLimit {
  maxSubmissions: number;
  window: Duration;
}
export interface MrzCheck {
  enabled: boolean;
  nameThreshold?: Percentage;
}
export interface IdLiveness {
  screenReplay?: boolean;
  paperPrintout?: boolean;
}
/**
 * Knowledge-based authentication (💡): typed identity details, SMS confirmation and a selfie; no ID document, so document-only options are rejected here.
 */
export interface KnowledgeBasedMethod {
  enabled: boolean;
  userPolicy?: KnowledgeBasedUserPolicy;
  mfa?: Mfa;
  fraudDetection?: KnowledgeBasedFraudDetection;
}
export interface KnowledgeBasedUserPolicy {
  scoreThreshold?: ScoreThreshold;
  ageLimit?: number;
  blacklistCountries?: CountryCode[];
  rejectDuplicateUser?: boolean;
  automaticProcessingOnly?: boolean;
}
export interface KnowledgeBasedFraudDetection {
  faceMatch?: Threshold;
  selfieLiveness?: SelfieLiveness;
  faceDeduplication?: boolean;
  occludedFaceCheck?: boolean;
  faceAgeVerification?: boolean;
  proxyVpnDetection?: boolean;
  deviceVerification?: boolean;
  governmentDataVerification?: boolean;
  rateLimit?: RateLimit;
}
export interface Liveform {
  /**
   * Completed authentication URLs cannot be reused.
   */
  privateMode?: boolean;
  tokens?: Tokens;
}
export interface Tokens {
  /**
   * Only registered token IDs (at most 100,000) open the Liveform.
   */
  preRegistration?: boolean;
  expiration?: TokenExpiration;
  deletion?: TokenDeletion;
}
export interface TokenExpiration {
  /**
   * count: expires at the first 'Start Authentication'; time: expires a set time after first use.
   */
  mode: "count" | "time";
  after?: Duration;
}
export interface TokenDeletion {
  onExpiration?: boolean;
  byVolume?: VolumeDeletion;
}
export interface VolumeDeletion {
  /**
   * Start when registrations reach this % of the 100,000 cap.
   */
  startThreshold: number;
  /**
   * Delete this % of the project's registered tokens in one pass.
   */
  ratio: number;
  priority?: "oldest-first" | "newest-first";
}
export interface Encryption {
  /**
   * The Liveform opens only through encrypted URLs.
   */
  encryptedOnly?: boolean;
  method?: "ECB" | "GCM";
  keys?: EncryptionKey[];
}
export interface EncryptionKey {
  name: string;
  status: "active" | "retired";
}
export interface Security {
  /**
   * Blur ID images and mask ID and document numbers in the dashboard.
   */
  privacyProtection?: boolean;
  secureTransmission?: SecureTransmission;
  ipWhitelist?: IpWhitelist;
}
export interface SecureTransmission {
  enabled: boolean;
  /**
   * Path of a PEM public key file, relative to the manifest.
   */
  publicKey?: string;
}
export interface IpWhitelist {
  dashboard?: string[];
  api?: string[];
}
export interface Admin {
  email: string;
}

/**
 * argosctl.yaml at the manifest root: organisation-wide settings.
 */
export interface OrganizationConfig {
  apiVersion: "argosctl/v1";
  kind: "Organization";
  /**
   * The manifest folder, relative to this file (no ".."); argosctl finds this file by walking up from the current folder to the git root. --dir overrides it.
   */
  manifests?: string;
  /**
   * The database: a URL without credentials, or env:NAME to read it from that environment variable. A URL holding a password is refused. --database-url and ARGOS_DATABASE_URL override it; without any, the embedded PGlite database .argos/db next to this file is used.
   */
  database?: string;
  regions?: {
    [k: string]: Region;
  };
  /**
   * Risk classes that apply may carry out without --allow, optionally limited to some projects.
   */
  allow?: AllowRule[];
}
export interface Region {
  description?: string;
  /**
   * Emails, or @domain patterns, of the people allowed to administer this region's projects.
   */
  managers?: string[];
  /**
   * Settings every project of the region must have: a manifest path (spec.…) and its required value.
   */
  require?: {
    [k: string]: boolean | string | number;
  };
}
export interface AllowRule {
  class: string;
  projects?: string[];
}
