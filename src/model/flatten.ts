// A project's settings as a flat map, one key per setting or set member, as the plan names them
// (`spec.status`, `spec.admins[ops@x.example]`). Used to compare three states at once (drift)
// and to say which audit row last set each value (blame).
import { SCALAR_FIELDS, SET_PATHS, authMethodEnabledPath, authOptionPath, setMembers, type SetName } from './fields.js';
import { AUTH_METHODS, OPTION_GROUPS, type Json, type ProjectSettings } from './project-settings.js';

export function settingKey(path: string, member?: string | null): string {
  return member === undefined || member === null ? path : `${path}[${member}]`;
}

export function flattenSettings(s: ProjectSettings): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const f of SCALAR_FIELDS) out.set(f.path, f.get(s));
  for (const m of AUTH_METHODS) {
    out.set(authMethodEnabledPath(m), s.authMethods[m].enabled);
    for (const g of OPTION_GROUPS)
      for (const [k, v] of Object.entries(s.authMethods[m][g])) out.set(authOptionPath(m, g, k), v);
  }
  for (const [set, path] of Object.entries(SET_PATHS) as [SetName, string][]) {
    for (const [member, value] of setMembers(s, set)) out.set(settingKey(path, member), value);
  }
  return out;
}
