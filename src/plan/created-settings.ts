// What a create change shows: every set value of the new project, one row per setting or list
// member, in the catalogue's fixed order, with values that equal the manifest default marked so
// a reviewer sees at a glance what the author chose (`api: 0.0.0.0/0`) and what came by default.
import { flattenSettings } from '../model/flatten.js';
import { emptyAuthMethod, type Json, type ProjectSettings } from '../model/project-settings.js';
import { SET_BY_PATH } from '../model/fields.js';
import { jsonEqual } from '../util/canonical-json.js';
import { DEFAULT_ENCRYPTION_METHODS } from '../manifest/check/normalize.js';
import { DEFAULT_DURATIONS, writtenDuration } from '../audit/values-as-written.js';

export interface CreatedSetting {
  /** Manifest path, e.g. `spec.liveform.privateMode` or, for a list, `spec.security.ipWhitelist.api`. */
  path: string;
  /** For list members (IP ranges, admins, keys): the member's key. */
  member?: string;
  /** The value; for list members their attributes (`{}` when none). */
  value: Json;
  /** Nobody wrote it: the manifest leaves it out (or, without the manifest at hand, it equals what an absent setting means). */
  default?: true;
  /** The value as the manifest writes it, where that differs from the stored form (a duration: `24h`). */
  written?: string;
}

/** What a manifest that says nothing beyond id, name and status normalizes to (mirrors normalizeManifest). */
const ABSENT: ProjectSettings = {
  id: '',
  name: '',
  description: null,
  region: null,
  labels: {},
  status: 'TRIAL',
  submissions: 'normal',
  authMethods: { idDocument: emptyAuthMethod(), knowledgeBased: emptyAuthMethod() },
  privateMode: false,
  tokenPreRegistration: false,
  tokenExpirationMode: 'none',
  tokenExpirationSeconds: null,
  tokenDeleteOnExpiration: false,
  tokenVolumeStartThreshold: null,
  tokenVolumeRatio: null,
  tokenVolumePriority: null,
  encryptedOnly: false,
  encryptionMethods: [...DEFAULT_ENCRYPTION_METHODS],
  encryptionKeys: [],
  encryptionRetiredValidSeconds: null,
  privacyProtection: false,
  secureTransmission: false,
  secureTransmissionPublicKey: null,
  ipWhitelistDashboard: [],
  ipWhitelistApi: [],
  admins: [],
  apiKeyRotation: null,
  apiKeyPreviousValidSeconds: null,
  webhookUrl: null,
  webhookEvents: null,
  webhookSecretRotation: null,
};
const REQUIRED = new Set(['metadata.name', 'spec.status']);
const DEFAULTS = flattenSettings(ABSENT);

export function createdSettings(s: ProjectSettings, writtenOf?: (path: string) => unknown): CreatedSetting[] {
  const out: CreatedSetting[] = [];
  for (const [key, value] of flattenSettings(s)) {
    if (
      value === null ||
      (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0 && !key.includes('['))
    )
      continue;
    const bracket = key.indexOf('[');
    const path = bracket < 0 ? key : key.slice(0, bracket);
    if (bracket >= 0 && SET_BY_PATH.has(path)) {
      out.push({ path, member: key.slice(bracket + 1, -1), value });
      continue;
    }
    const isDefault =
      !REQUIRED.has(key) &&
      (writtenOf ? writtenOf(key) === undefined : DEFAULTS.has(key) && jsonEqual(DEFAULTS.get(key)!, value));
    const asWritten = writtenDuration(key, writtenOf?.(key)) ?? (isDefault ? DEFAULT_DURATIONS[key] : undefined);
    out.push({
      path: key,
      value,
      ...(isDefault ? { default: true as const } : {}),
      ...(asWritten ? { written: asWritten } : {}),
    });
  }
  return out;
}
