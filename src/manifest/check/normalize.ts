// Stage 4: a valid manifest becomes the normalized ProjectSettings the planner compares.
import { checkIpv4Entry } from '../../util/ipv4.js';
import { parseDuration } from '../../util/duration.js';
import type { ProjectManifest } from '../manifest-types.generated.js';
import {
  ENCRYPTION_METHODS,
  emptyAuthMethod,
  sortedMethods,
  type AdminRef,
  type AuthMethodSettings,
  type EncryptionMethod,
  type JsonObject,
  type ProjectSettings,
} from '../../model/project-settings.js';

/** What a current-version manifest without spec.encryption.methods accepts: both, as the service offers them. */
export const DEFAULT_ENCRYPTION_METHODS: readonly EncryptionMethod[] = ENCRYPTION_METHODS;

export function acceptedMethodsOf(manifest: ProjectManifest): EncryptionMethod[] {
  return sortedMethods(manifest.spec.encryption?.methods ?? DEFAULT_ENCRYPTION_METHODS);
}

/** One entry per address (the first one written wins; the rules refuse duplicates anyway), sorted. */
function admins(list: ProjectManifest['spec']['admins']): AdminRef[] {
  const byEmail = new Map<string, AdminRef>();
  for (const a of list ?? []) {
    const email = a.email.trim().toLowerCase();
    if (!byEmail.has(email)) byEmail.set(email, { email, role: a.role });
  }
  return [...byEmail.values()].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
}

function cidrs(list: readonly string[] | undefined): string[] {
  const out = new Set<string>();
  for (const entry of list ?? []) {
    const r = checkIpv4Entry(entry);
    if (r.ok) out.add(r.cidr);
  }
  return [...out].sort();
}

function method(
  m: { enabled: boolean; userPolicy?: object; mfa?: object; fraudDetection?: object } | undefined,
): AuthMethodSettings {
  if (!m) return emptyAuthMethod();
  return {
    enabled: m.enabled,
    userPolicy: (m.userPolicy ?? {}) as JsonObject,
    mfa: (m.mfa ?? {}) as JsonObject,
    fraudDetection: (m.fraudDetection ?? {}) as JsonObject,
  };
}

/** `publicKey`: the canonical SPKI PEM of spec.security.secureTransmission.publicKey, read once by the rules' stage. */
export function normalizeManifest(manifest: ProjectManifest, publicKey: string | null): ProjectSettings {
  const { metadata, spec } = manifest;
  const tokens = spec.liveform?.tokens;
  const volume = tokens?.deletion?.byVolume;
  const st = spec.security?.secureTransmission;
  const expiration = tokens?.expiration;
  return {
    id: metadata.id,
    name: metadata.name,
    description: metadata.description ?? null,
    region: metadata.region ?? null,
    labels: Object.fromEntries(Object.entries(metadata.labels ?? {}).sort(([a], [b]) => a.localeCompare(b))),
    status: spec.status,
    submissions: spec.submissions ?? 'normal',
    authMethods: {
      idDocument: method(spec.authMethods?.idDocument),
      knowledgeBased: method(spec.authMethods?.knowledgeBased),
    },
    privateMode: spec.liveform?.privateMode ?? false,
    tokenPreRegistration: tokens?.preRegistration ?? false,
    tokenExpirationMode: expiration?.mode ?? 'none',
    tokenExpirationSeconds:
      expiration?.mode === 'time' && expiration.after ? (parseDuration(expiration.after) ?? null) : null,
    tokenDeleteOnExpiration: tokens?.deletion?.onExpiration ?? false,
    tokenVolumeStartThreshold: volume?.startThreshold ?? null,
    tokenVolumeRatio: volume?.ratio ?? null,
    tokenVolumePriority: volume ? (volume.priority ?? 'oldest-first') : null,
    encryptedOnly: spec.encryption?.encryptedOnly ?? false,
    encryptionMethods: acceptedMethodsOf(manifest),
    encryptionKeys: (spec.encryption?.keys ?? [])
      .map((k) => ({ name: k.name, status: k.status, ...(k.rotate && k.rotate > 1 ? { rotate: k.rotate } : {}) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    encryptionRetiredValidSeconds: spec.encryption?.retiredKeyValidFor
      ? (parseDuration(spec.encryption.retiredKeyValidFor) ?? null)
      : null,
    privacyProtection: spec.security?.privacyProtection ?? false,
    secureTransmission: st?.enabled ?? false,
    secureTransmissionPublicKey: st?.publicKey ? publicKey : null,
    apiKeyRotation: spec.security?.apiKey?.rotation ?? null,
    apiKeyPreviousValidSeconds: spec.security?.apiKey
      ? (parseDuration(spec.security.apiKey.previousKeyValidFor ?? '24h') ?? null)
      : null,
    webhookUrl: spec.webhook?.url ?? null,
    webhookEvents: spec.webhook ? [...new Set<string>(spec.webhook.events ?? ['token_expired'])].sort() : null,
    webhookSecretRotation: spec.webhook ? (spec.webhook.secretRotation ?? 1) : null,
    ipWhitelistDashboard: cidrs(spec.security?.ipWhitelist?.dashboard),
    ipWhitelistApi: cidrs(spec.security?.ipWhitelist?.api),
    admins: admins(spec.admins),
  };
}
