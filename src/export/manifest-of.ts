// The inverse of normalizeManifest: what the database holds for a project, as the manifest that
// normalizes back to exactly those settings. Pure data; rendering to YAML is render-manifest.ts.
import { keyRank } from '../manifest/key-order.js';
import { CURRENT_VERSION } from '../manifest/versions/registry.js';
import type { Json, JsonObject, ProjectSettings } from '../model/project-settings.js';
import { AUTH_METHODS, OPTION_GROUPS } from '../model/project-settings.js';
import { formatDuration } from '../util/duration.js';

export interface ExportedManifest {
  /** The manifest as plain data, keys in the schema's order. */
  value: JsonObject;
  /** Dotted paths of values written only to be explicit: they equal the default. */
  defaults: Set<string>;
}

/** 86400 → 24h, 604800 → 7d, 5400 → 1h30m: the units people write, never 86400s. */
export function humanDuration(seconds: number): string {
  if (seconds % 86400 === 0 && seconds >= 2 * 86400) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0 && seconds < 3600) return `${seconds / 60}m`;
  return formatDuration(seconds);
}

/** Keys in schema order; free-form maps (labels, supportedIdTypes) by name, so output is stable. */
export function orderKeys(value: Json, schemaPath = ''): Json {
  if (Array.isArray(value)) return value.map((item) => orderKeys(item, `${schemaPath}[]`));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([k, v]) => {
    const rank = keyRank(schemaPath, k);
    const child = rank === Number.MAX_SAFE_INTEGER ? `${schemaPath}.<name>` : schemaPath ? `${schemaPath}.${k}` : k;
    return { k, rank, v: orderKeys(v, child) };
  });
  entries.sort((a, b) => a.rank - b.rank || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return Object.fromEntries(entries.map((e) => [e.k, e.v]));
}

const isEmpty = (o: JsonObject) => Object.keys(o).length === 0;

/** `publicKeyPath`: where the key file will be, relative to the manifest (only when the project has one). */
export function manifestOf(s: ProjectSettings, publicKeyPath: string | undefined): ExportedManifest {
  const defaults = new Set<string>();
  const explicit = <T extends Json>(path: string, value: T, fallback: T): T => {
    if (value === fallback) defaults.add(path);
    return value;
  };

  const metadata: JsonObject = { id: s.id, name: s.name };
  if (s.description !== null) metadata.description = s.description;
  if (s.region !== null) metadata.region = s.region;
  if (!isEmpty(s.labels)) metadata.labels = s.labels;

  const authMethods: JsonObject = {};
  for (const m of AUTH_METHODS) {
    const method: JsonObject = { enabled: explicit(`spec.authMethods.${m}.enabled`, s.authMethods[m].enabled, false) };
    for (const g of OPTION_GROUPS) if (!isEmpty(s.authMethods[m][g])) method[g] = s.authMethods[m][g];
    authMethods[m] = method;
  }

  const tokens: JsonObject = {
    preRegistration: explicit('spec.liveform.tokens.preRegistration', s.tokenPreRegistration, false),
  };
  if (s.tokenExpirationMode !== 'none') {
    tokens.expiration =
      s.tokenExpirationMode === 'time' && s.tokenExpirationSeconds !== null
        ? { mode: 'time', after: humanDuration(s.tokenExpirationSeconds) }
        : { mode: s.tokenExpirationMode };
  }
  const volume = s.tokenVolumeStartThreshold !== null || s.tokenVolumeRatio !== null || s.tokenVolumePriority !== null;
  if (s.tokenDeleteOnExpiration || volume) {
    const deletion: JsonObject = { onExpiration: s.tokenDeleteOnExpiration };
    if (volume) {
      deletion.byVolume = Object.fromEntries(
        Object.entries({
          startThreshold: s.tokenVolumeStartThreshold,
          ratio: s.tokenVolumeRatio,
          priority: s.tokenVolumePriority,
        }).filter(([, v]) => v !== null),
      ) as JsonObject;
    }
    tokens.deletion = deletion;
  }

  // methods always written: absent means both, which a reviewer should see stated, not implied.
  const encryption: JsonObject = {
    encryptedOnly: explicit('spec.encryption.encryptedOnly', s.encryptedOnly, false),
    methods: [...s.encryptionMethods],
  };
  if (s.encryptionKeys.length)
    encryption.keys = s.encryptionKeys.map((k) => ({
      name: k.name,
      status: k.status,
      ...(k.rotate ? { rotate: k.rotate } : {}),
    }));
  if (s.encryptionRetiredValidSeconds !== null)
    encryption.retiredKeyValidFor = humanDuration(s.encryptionRetiredValidSeconds);

  const secureTransmission: JsonObject = {
    enabled: explicit('spec.security.secureTransmission.enabled', s.secureTransmission, false),
  };
  if (publicKeyPath) secureTransmission.publicKey = publicKeyPath;
  const security: JsonObject = {
    privacyProtection: explicit('spec.security.privacyProtection', s.privacyProtection, false),
    secureTransmission,
  };
  const ipWhitelist: JsonObject = {};
  if (s.ipWhitelistDashboard.length) ipWhitelist.dashboard = s.ipWhitelistDashboard;
  if (s.ipWhitelistApi.length) ipWhitelist.api = s.ipWhitelistApi;
  if (!isEmpty(ipWhitelist)) security.ipWhitelist = ipWhitelist;
  if (s.apiKeyRotation !== null) {
    security.apiKey = {
      rotation: s.apiKeyRotation,
      previousKeyValidFor: explicit(
        'spec.security.apiKey.previousKeyValidFor',
        humanDuration(s.apiKeyPreviousValidSeconds ?? 86400),
        '24h',
      ),
    };
  }

  const spec: JsonObject = {
    status: s.status,
    submissions: explicit('spec.submissions', s.submissions, 'normal'),
    authMethods,
    liveform: { privateMode: explicit('spec.liveform.privateMode', s.privateMode, false), tokens },
    encryption,
    security,
  };
  if (s.webhookUrl !== null) {
    spec.webhook = {
      url: s.webhookUrl,
      events: s.webhookEvents ?? ['token_expired'],
      secretRotation: explicit('spec.webhook.secretRotation', s.webhookSecretRotation ?? 1, 1),
    };
  }
  if (s.admins.length) spec.admins = s.admins.map((a) => ({ email: a.email, role: a.role }));

  const value = orderKeys({ apiVersion: CURRENT_VERSION, kind: 'Project', metadata, spec }) as JsonObject;
  return { value, defaults };
}
