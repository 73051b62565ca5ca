/* Generated from schemas/*.json by `npm run gen:types`. Do not edit. */
/**
 * ARGOS score threshold: a preset (conservative 70, standard 50, open 40) or a custom value 1..99.
 */
export type ScoreThreshold = ("conservative" | "standard" | "open") | number;
export type CountryCode = string;
/**
 * A duration: days, hours, minutes and seconds in that order (30s, 10m, 24h, 7d, 1h30m); longer than zero and at most 24855d (68 years), the most the database holds in seconds.
 */
export type Duration = string;
export type Percentage = number;

/**
 * One ARGOS project, apiVersion argosctl/v2. Secrets never appear here: encryption key material is issued by argosctl at apply and stays in the database.
 */
export interface ProjectManifest {
  /**
   * Manifest format version. argosctl/v1 files are still read and converted in memory; `argosctl migrate` rewrites them to argosctl/v2.
   */
  apiVersion: "argosctl/v2";
  /**
   * Document kind; a project manifest is always Project.
   */
  kind: "Project";
  metadata: Metadata;
  spec: Spec;
  lint?: Lint;
}
export interface Metadata {
  /**
   * The ARGOS project id as the service issues it (the `pid` of Liveform URLs): the stable key, immutable once applied.
   */
  id: string;
  /**
   * Display name shown in the ARGOS dashboard.
   */
  name: string;
  /**
   * Free text for the dashboard.
   */
  description?: string;
  /**
   * A region declared in argosctl.yaml; its managers and required settings apply.
   */
  region?: string;
  /**
   * Free-form key/value labels for grouping and filtering projects; they change no ARGOS behaviour.
   */
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
  webhook?: Webhook;
  /**
   * Dashboard administrators, each with a role. Removing the last admin is a guarded change.
   */
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
  /**
   * Whether ID document authentication is offered. At least one method must be enabled unless status is CLOSE.
   */
  enabled: boolean;
  userPolicy?: IdDocumentUserPolicy;
  mfa?: Mfa;
  fraudDetection?: IdDocumentFraudDetection;
}
export interface IdDocumentUserPolicy {
  scoreThreshold?: ScoreThreshold;
  /**
   * Minimum age in whole years; younger users are rejected.
   */
  ageLimit?: number;
  /**
   * Issuing countries whose users are rejected (ISO 3166-1 alpha-2 codes in capitals).
   */
  blacklistCountries?: CountryCode[];
  /**
   * Reject a user who has already submitted to this project.
   */
  rejectDuplicateUser?: boolean;
  /**
   * What would go to Pending is rejected instead, so no submission waits for manual review.
   */
  automaticProcessingOnly?: boolean;
  approvedPeriod?: Duration;
  rejectedPeriod?: Duration;
  /**
   * ID recognition guarantee mode: only IDs that can be read reliably are accepted (ID document only).
   */
  idRecognitionGuarantee?: boolean;
  /**
   * Accepted ID types per issuing country (ISO alpha-2 code → list); countries not listed accept every type.
   */
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
  /**
   * Confirm the user by a code sent in an SMS.
   */
  sms?: boolean;
  /**
   * Confirm the user by a code sent by email.
   */
  email?: boolean;
}
export interface IdDocumentFraudDetection {
  faceMatch?: Threshold;
  selfieLiveness?: SelfieLiveness;
  /**
   * Reject a face that already submitted under another identity.
   */
  faceDeduplication?: boolean;
  /**
   * Reject selfies with a covered face (mask, sunglasses, hand).
   */
  occludedFaceCheck?: boolean;
  /**
   * Estimate age from the face and check it against the age limit.
   */
  faceAgeVerification?: boolean;
  /**
   * Reject submissions that come through a proxy or VPN.
   */
  proxyVpnDetection?: boolean;
  /**
   * Check the submitting device for emulators and tampering.
   */
  deviceVerification?: boolean;
  /**
   * Check the identity details against government data where available.
   */
  governmentDataVerification?: boolean;
  rateLimit?: RateLimit;
  mrzCheck?: MrzCheck;
  idLiveness?: IdLiveness;
  /**
   * Accept only IDs captured live from the camera stream, not uploaded files (ID document only).
   */
  streamingCaptureOnly?: boolean;
}
export interface Threshold {
  /**
   * Whether the check runs.
   */
  enabled: boolean;
  threshold?: Percentage;
}
export interface SelfieLiveness {
  /**
   * off, passive (a single photo is analysed) or active (the user follows prompts).
   */
  mode: "off" | "passive" | "active";
  threshold?: Percentage;
}
/**
 * Sliding-window submission rate limit.
 */
export interface RateLimit {
  /**
   * Most submissions accepted within one window.
   */
  maxSubmissions: number;
  window: Duration;
}
/**
 * Read the machine-readable zone and compare its name with the printed one (ID document only).
 */
export interface MrzCheck {
  /**
   * Whether the MRZ check runs.
   */
  enabled: boolean;
  nameThreshold?: Percentage;
}
/**
 * Reject IDs photographed from a screen or a paper printout (ID document only).
 */
export interface IdLiveness {
  /**
   * Reject an ID shown on a screen.
   */
  screenReplay?: boolean;
  /**
   * Reject an ID printed on paper.
   */
  paperPrintout?: boolean;
}
/**
 * Knowledge-based authentication (💡): typed identity details, SMS confirmation and a selfie; no ID document, so document-only options are rejected here.
 */
export interface KnowledgeBasedMethod {
  /**
   * Whether knowledge-based authentication is offered. At least one method must be enabled unless status is CLOSE.
   */
  enabled: boolean;
  userPolicy?: KnowledgeBasedUserPolicy;
  mfa?: Mfa;
  fraudDetection?: KnowledgeBasedFraudDetection;
}
export interface KnowledgeBasedUserPolicy {
  scoreThreshold?: ScoreThreshold;
  /**
   * Minimum age in whole years; younger users are rejected.
   */
  ageLimit?: number;
  /**
   * Issuing countries whose users are rejected (ISO 3166-1 alpha-2 codes in capitals).
   */
  blacklistCountries?: CountryCode[];
  /**
   * Reject a user who has already submitted to this project.
   */
  rejectDuplicateUser?: boolean;
  /**
   * What would go to Pending is rejected instead, so no submission waits for manual review.
   */
  automaticProcessingOnly?: boolean;
}
export interface KnowledgeBasedFraudDetection {
  faceMatch?: Threshold;
  selfieLiveness?: SelfieLiveness;
  /**
   * Reject a face that already submitted under another identity.
   */
  faceDeduplication?: boolean;
  /**
   * Reject selfies with a covered face (mask, sunglasses, hand).
   */
  occludedFaceCheck?: boolean;
  /**
   * Estimate age from the face and check it against the age limit.
   */
  faceAgeVerification?: boolean;
  /**
   * Reject submissions that come through a proxy or VPN.
   */
  proxyVpnDetection?: boolean;
  /**
   * Check the submitting device for emulators and tampering.
   */
  deviceVerification?: boolean;
  /**
   * Check the identity details against government data where available.
   */
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
/**
 * When a registered token stops opening the Liveform; needs preRegistration. Absent means tokens do not expire.
 */
export interface TokenExpiration {
  /**
   * count: expires at the first 'Start Authentication'; time: expires a set time after first use.
   */
  mode: "count" | "time";
  after?: Duration;
}
/**
 * Automatic deletion of registered tokens (every 10 minutes); needs preRegistration.
 */
export interface TokenDeletion {
  /**
   * Delete a token once it has expired.
   */
  onExpiration?: boolean;
  byVolume?: VolumeDeletion;
}
/**
 * Delete a share of the tokens once registrations near the 100,000 cap.
 */
export interface VolumeDeletion {
  startThreshold: Percentage;
  ratio: Percentage;
  /**
   * Which tokens a volume pass deletes first, by registration time.
   */
  priority?: "oldest-first" | "newest-first";
}
export interface Encryption {
  /**
   * The Liveform opens only through encrypted URLs.
   */
  encryptedOnly?: boolean;
  /**
   * AES-256 modes accepted for encrypted URLs: GCM (authenticated; recommended) and ECB. Absent means both, as the service offers them. Adding ECB is a guarded change.
   *
   * @minItems 1
   */
  methods?: ["ECB" | "GCM", ...("ECB" | "GCM")[]];
  /**
   * Named encryption keys; argosctl issues the key material at apply and keeps it sealed in the database; `argosctl keys reveal PROJECT NAME` shows it once.
   */
  keys?: EncryptionKey[];
  retiredKeyValidFor?: Duration;
}
export interface EncryptionKey {
  /**
   * Key name, unique in the project; a new name issues a new key.
   */
  name: string;
  /**
   * active keys encrypt and decrypt; a retired key keeps opening URLs for retiredKeyValidFor, then stops. Retiring an active key, and reactivating a retired one, are guarded.
   */
  status: "active" | "retired";
  /**
   * The key's generation (absent means 1). Raise it to issue new material under the same name; the previous material keeps opening URLs for retiredKeyValidFor.
   */
  rotate?: number;
}
export interface Security {
  /**
   * Blur ID images and mask ID and document numbers in the dashboard.
   */
  privacyProtection?: boolean;
  secureTransmission?: SecureTransmission;
  apiKey?: ApiKey;
  ipWhitelist?: IpWhitelist;
}
/**
 * Secure data transmission, both ways (AES-256-GCM; docs/secure-transmission.md): Token API request bodies must be sealed for the project's service key (`argosctl transmit service-key PROJECT`; a clear body is refused with transmission_required); answers, errors of sealed requests and webhooks are sealed for your public key.
 */
export interface SecureTransmission {
  /**
   * Whether secure data transmission is on; on needs a readable public key.
   */
  enabled: boolean;
  /**
   * Path of your PEM public key file, relative to the manifest: answers and webhooks are sealed for it (you open them with the private key).
   */
  publicKey?: string;
}
/**
 * The project's API key (header x-api-key). argosctl issues the material at apply; it is shown once by `argosctl keys reveal PROJECT api-key` and never appears in manifests or plans.
 */
export interface ApiKey {
  /**
   * Bump to issue a new key; the previous one stays valid for previousKeyValidFor.
   */
  rotation: number;
  previousKeyValidFor?: Duration;
}
/**
 * Addresses allowed to reach the dashboard and the API; an empty list means unrestricted.
 */
export interface IpWhitelist {
  /**
   * IPv4 addresses or CIDR ranges (without host bits) allowed to open the dashboard; empty means unrestricted.
   */
  dashboard?: string[];
  /**
   * IPv4 addresses or CIDR ranges (without host bits) allowed to call the API; a blocked call gets 403. Empty means unrestricted.
   */
  api?: string[];
}
export interface Webhook {
  /**
   * The receiver's URL: https, without credentials; plain http only to a loopback address (127.0.0.1, localhost, [::1]) for tests.
   */
  url: string;
  /**
   * Which events to deliver; token_expired is the only event today.
   *
   * @minItems 1
   */
  events?: ["token_expired", ..."token_expired"[]];
  /**
   * Bump to issue a new signing secret (shown once by `argosctl keys reveal PROJECT webhook-secret`); deliveries are signed with the previous secret too for 24h.
   */
  secretRotation?: number;
}
export interface Admin {
  /**
   * Email address of the administrator; compared case-insensitively, each once.
   */
  email: string;
  /**
   * Dashboard role: Owner, Leader, Member or Guest (read-only). Stored now; the service enforces tiered permissions later.
   */
  role: "Owner" | "Leader" | "Member" | "Guest";
}
export interface Lint {
  /**
   * Warnings not to report for this project; each needs a reason a reviewer can judge.
   */
  ignore?: LintIgnore[];
}
export interface LintIgnore {
  /**
   * The lint rule to silence (the name shown in brackets after a warning).
   */
  rule:
    | "lint.whitelist-wide"
    | "lint.open-empty-api-whitelist"
    | "lint.open-without-admins"
    | "lint.ecb"
    | "lint.long-token-expiry"
    | "lint.deletion-without-expiration"
    | "lint.private-without-pre-registration";
  /**
   * Why the warning is accepted for this project.
   */
  reason: string;
}

/**
 * argosctl.yaml at the manifest root: organisation-wide settings.
 */
export interface OrganizationConfig {
  /**
   * Config format version.
   */
  apiVersion: "argosctl/v1";
  /**
   * Document kind; argosctl.yaml is always Organization.
   */
  kind: "Organization";
  /**
   * The manifest folder, relative to this file (no ".."); argosctl finds this file by walking up from the current folder to the git root. --dir overrides it.
   */
  manifests?: string;
  /**
   * The database: a URL without credentials, or env:NAME to read it from that environment variable. A URL holding a password is refused. --database-url and ARGOS_DATABASE_URL override it; without any, the embedded PGlite database .argos/db next to this file is used.
   */
  database?: string;
  /**
   * Regions by name (lowercase, such as kr, eu or us-east); a project joins one with metadata.region.
   */
  regions?: {
    [k: string]: Region;
  };
  policy?: Policy;
  lint?: LintSettings;
  traffic?: TrafficSettings;
  dashboard?: DashboardSettings;
  /**
   * Risk classes that apply may carry out without --allow, optionally limited to some projects.
   */
  allow?: AllowRule[];
}
export interface Region {
  /**
   * Free text saying what the region covers.
   */
  description?: string;
  /**
   * Emails, or @domain patterns, of the people allowed to administer this region's projects. Unset: anyone.
   */
  managers?: string[];
  /**
   * Settings every project of the region must have: a manifest path (spec.…) and its required value.
   */
  require?: {
    [k: string]: boolean | string | number;
  };
}
/**
 * Organisation policy: requirements every project must meet, checked by validate, plan and apply beside the region rules. Each violation is an error naming its rule (policy.<name>); argosctl policy test shows which projects each rule touched.
 */
export interface Policy {
  /**
   * Every project must name a region (metadata.region), so no project skips the region rules; reported as policy.require-region.
   */
  requireRegion?: boolean;
  /**
   * Named requirements: a setting (its manifest path, e.g. spec.security.privacyProtection) and exactly one condition (required, equals, oneOf, nonEmpty, max or min), optionally only for some statuses or regions.
   */
  rules?: PolicyRule[];
}
export interface PolicyRule {
  /**
   * The rule's name, reported as policy.<name>.
   */
  name: string;
  /**
   * Why the rule exists, shown with each violation and by argosctl policy test.
   */
  description?: string;
  when?: PolicyScope;
  /**
   * The setting the rule checks, by its manifest path (argosctl schema lists them); a list such as spec.admins is one value.
   */
  setting: string;
  /**
   * The setting must have a value (for settings that may be absent, such as metadata.region or token expiration).
   */
  required?: true;
  /**
   * The setting must have exactly this value.
   */
  equals?: boolean | string | number;
  /**
   * The setting must have one of these values.
   *
   * @minItems 1
   */
  oneOf?: [boolean | string | number, ...(boolean | string | number)[]];
  /**
   * The list or map must have at least one entry (IP whitelists, admins, encryption keys, labels).
   */
  nonEmpty?: true;
  /**
   * Upper bound of a number, or of a duration (written as one: 30d); an absent value passes.
   */
  max?: number | string;
  /**
   * Lower bound of a number, or of a duration (written as one: 1h); an absent value passes.
   */
  min?: number | string;
}
/**
 * Which projects the rule applies to; unset: every project.
 */
export interface PolicyScope {
  /**
   * Only projects in one of these statuses.
   *
   * @minItems 1
   */
  status?: ["TRIAL" | "TEST" | "OPEN" | "CLOSE", ...("TRIAL" | "TEST" | "OPEN" | "CLOSE")[]];
  /**
   * Only projects of one of these regions (declared under regions).
   *
   * @minItems 1
   */
  region?: [string, ...string[]];
}
/**
 * Settings of the lint warnings.
 */
export interface LintSettings {
  blastRadius?: BlastRadius;
}
/**
 * lint.blast-radius warns about a plan that changes more existing projects than this: more than projects, or more than percent of them (when the database holds at least 10).
 */
export interface BlastRadius {
  /**
   * Most existing projects one plan may change without the warning.
   */
  projects?: number;
  /**
   * Largest share of the existing projects (in %) one plan may change without the warning.
   */
  percent?: number;
}
/**
 * How plan and apply judge a change by the traffic serve recorded (traffic facts).
 */
export interface TrafficSettings {
  /**
   * apply refuses (risk class refuses-live-traffic) a change that would have refused more than this share of its project's traffic over the plan's --traffic-window; below it, a warning. A percentage such as 1% or 0.5%, or a number of percent. Taken, like every relaxing rule, from argosctl.yaml at the trusted revision (--policy-from).
   */
  refuseThreshold?: string | number;
}
/**
 * Settings of `argosctl dashboard`, the web pages for administrators and auditors.
 */
export interface DashboardSettings {
  /**
   * Who sees every project, read-only: an exact email or an @domain pattern.
   */
  auditors?: string[];
  /**
   * The config repository's https URL: the dashboard links each apply's commit (URL/commit/SHA) and pull request (URL/pull/N).
   */
  repositoryUrl?: string;
  oidc?: DashboardOidc;
}
/**
 * Sign-in with OpenID Connect (authorization code with PKCE). The provider must give an email claim.
 */
export interface DashboardOidc {
  /**
   * The issuer URL (https; plain http only on loopback, for trying it).
   */
  issuer: string;
  /**
   * The dashboard's client id at the provider.
   */
  clientId: string;
  /**
   * The client secret, only as env:NAME (the variable holding it): never in git.
   */
  clientSecret: string;
  /**
   * The public URL of the dashboard's /auth/callback, as registered at the provider.
   */
  redirectUrl: string;
  /**
   * Sign in only a person whose email the provider says it verified (email_verified: true). Turn it off only for a provider that never sends the claim and whose issuer admits only your organization's accounts: where anyone may set an account's email, an unverified email is whoever they claim to be.
   */
  requireVerifiedEmail?: boolean;
}
export interface AllowRule {
  /**
   * A risk class, such as enter-close, leave-close, whitelist-widen, retire-key or downgrade-encryption.
   */
  class: string;
  /**
   * Project ids the rule is limited to; unset means every project.
   */
  projects?: string[];
}
