// The settings a policy rule may name, read from the normalized ProjectSettings (not the raw
// manifest, whose shape changes between manifest versions). Paths are the manifest paths of
// src/model/fields.ts; each has a kind that says which conditions make sense for it.
import { SCALAR_BY_PATH, SET_BY_PATH, SCALAR_FIELDS, SET_PATHS, parseAuthPath, setMembers } from '../model/fields.js';
import { AUTH_METHODS, OPTION_GROUPS, STATUSES, type Json, type ProjectSettings } from '../model/project-settings.js';

export type SettingKind = 'boolean' | 'enum' | 'string' | 'number' | 'duration' | 'list' | 'map' | 'option';

export interface PolicySetting {
  path: string;
  kind: SettingKind;
  /** The setting always has a value (a default when the manifest leaves it out): `required` says nothing. */
  always: boolean;
  /** For enums: every value it can take. */
  values?: readonly string[];
}

const KINDS: Record<string, Omit<PolicySetting, 'path'>> = {
  'metadata.name': { kind: 'string', always: true },
  'metadata.description': { kind: 'string', always: false },
  'metadata.region': { kind: 'string', always: false },
  'metadata.labels': { kind: 'map', always: true },
  'spec.status': { kind: 'enum', always: true, values: STATUSES },
  'spec.submissions': { kind: 'enum', always: true, values: ['normal', 'emergency-stop'] },
  'spec.liveform.privateMode': { kind: 'boolean', always: true },
  'spec.liveform.tokens.preRegistration': { kind: 'boolean', always: true },
  'spec.liveform.tokens.expiration.mode': { kind: 'enum', always: true, values: ['none', 'count', 'time'] },
  'spec.liveform.tokens.expiration.after': { kind: 'duration', always: false },
  'spec.liveform.tokens.deletion.onExpiration': { kind: 'boolean', always: true },
  'spec.liveform.tokens.deletion.byVolume.startThreshold': { kind: 'number', always: false },
  'spec.liveform.tokens.deletion.byVolume.ratio': { kind: 'number', always: false },
  'spec.liveform.tokens.deletion.byVolume.priority': {
    kind: 'enum',
    always: false,
    values: ['oldest-first', 'newest-first'],
  },
  'spec.encryption.encryptedOnly': { kind: 'boolean', always: true },
  'spec.encryption.method': { kind: 'enum', always: true, values: ['ECB', 'GCM'] },
  'spec.security.privacyProtection': { kind: 'boolean', always: true },
  'spec.security.secureTransmission.enabled': { kind: 'boolean', always: true },
  'spec.security.secureTransmission.publicKey': { kind: 'string', always: false },
  'spec.security.apiKey.rotation': { kind: 'number', always: false },
  'spec.security.apiKey.previousKeyValidFor': { kind: 'duration', always: false },
};

/** Every path a rule may name, except the options under spec.authMethods (open-ended: see policySetting). */
export const POLICY_SETTING_PATHS: readonly string[] = [
  ...SCALAR_FIELDS.map((f) => f.path),
  ...Object.values(SET_PATHS),
  ...AUTH_METHODS.flatMap((m) => [
    `spec.authMethods.${m}.enabled`,
    ...OPTION_GROUPS.map((g) => `spec.authMethods.${m}.${g}.<option>`),
  ]),
];

/** What a path names, or undefined when no setting has that path. */
export function policySetting(path: string): PolicySetting | undefined {
  // A scalar added to fields.ts without a kind here is still usable, with the open-ended checks of an option.
  if (SCALAR_BY_PATH.has(path)) return { path, ...(KINDS[path] ?? { kind: 'option', always: false }) };
  if (SET_BY_PATH.has(path)) return { path, kind: 'list', always: true };
  const auth = parseAuthPath(path);
  if (!auth) return undefined;
  if (auth.group === 'enabled') return auth.key === undefined ? { path, kind: 'boolean', always: true } : undefined;
  // Authentication options are free-form objects (scoreThreshold, faceMatch.threshold, …): any kind.
  return auth.key === undefined ? { path, kind: 'map', always: true } : { path, kind: 'option', always: false };
}

function descend(value: Json | undefined, keys: readonly string[]): Json | undefined {
  let node = value;
  for (const key of keys) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/** The value of `setting` in `s`: lists as their member keys (sorted), absent values as null. */
export function settingValue(s: ProjectSettings, setting: PolicySetting): Json {
  const scalar = SCALAR_BY_PATH.get(setting.path);
  if (scalar) return scalar.get(s);
  const set = SET_BY_PATH.get(setting.path);
  if (set) return [...setMembers(s, set).keys()];
  const auth = parseAuthPath(setting.path)!;
  const method = s.authMethods[auth.method];
  if (auth.group === 'enabled') return method.enabled;
  const group = method[auth.group];
  return auth.key === undefined ? group : (descend(group, auth.key.split('.')) ?? null);
}
