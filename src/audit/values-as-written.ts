// A setting's value as its manifest wrote it, for the plan, history and blame: `24h` where the
// database stores 86400, and `(default)` for what nobody wrote. The text is taken from the
// manifest when the change is planned and kept in the audit row (audit_log.written), because the
// stored seconds cannot say whether someone wrote 24h or 1d.
import { DURATION_PATHS } from '../model/fields.js';
import type { Json } from '../model/project-settings.js';
import { formatSettingValue } from '../render/format-value.js';

/** One value of a created project, by manifest path, as written. */
export interface WrittenSetting {
  /** Manifest path, with a list member in brackets (`spec.admins[ops@x]`). */
  setting: string;
  value: string;
  /** Nobody wrote it: the value an absent setting means. */
  default?: true;
}

/** audit_log.written: the after value as written (update, add), or every value of a create. */
export interface WrittenValues {
  after?: string;
  /** Nobody wrote the after value. */
  default?: true;
  settings?: WrittenSetting[];
}

/** A manifest file that differed from the commit when planned or applied. */
export interface DirtyFile {
  /** Relative to the repository root, as git status names it. */
  path: string;
  /** git status --porcelain code: M (modified), A (added), D (deleted), ?? (untracked), R (renamed) … */
  status: string;
  /** sha256 of the bytes that were applied; null for a deleted file. */
  sha256: string | null;
}

/** How the schema writes the default of a duration a manifest may leave out (normalize.ts applies it). */
export const DEFAULT_DURATIONS: Readonly<Record<string, string>> = {
  'spec.security.apiKey.previousKeyValidFor': '24h',
};

/** The text a manifest wrote for a duration setting (`24h`), when it wrote one. */
export function writtenDuration(path: string, written: unknown): string | undefined {
  return DURATION_PATHS.has(path) && typeof written === 'string' ? written : undefined;
}

/** The value as shown to people: the recorded text when there is one, else the value read the manifest way. */
export function shownValue(setting: string, value: Json | undefined, written?: string): string {
  return written ?? formatSettingValue(setting, value ?? null);
}

/** Marks a shown value that nobody wrote. */
export function withDefaultMark(shown: string, isDefault: boolean | undefined): string {
  return isDefault ? `${shown} (default)` : shown;
}
