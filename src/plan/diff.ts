// The planner: a pure, synchronous comparison of desired and current state. No I/O.
import { jsonEqual } from '../util/canonical-json.js';
import {
  DURATION_PATHS,
  SCALAR_FIELDS,
  SET_PATHS,
  authMethodEnabledPath,
  authOptionPath,
  setMembers,
  type SetName,
} from '../model/fields.js';
import { AUTH_METHODS, OPTION_GROUPS, type Json, type ProjectSettings } from '../model/project-settings.js';
import { ACTION_ORDER, type Change, type ChangeSource, type OutsideGitNote } from './plan-types.js';
import { createdSettings } from './created-settings.js';
import { entersBilling, removeRisks, updateRisks, whitelistAddRisks } from './risk.js';
import { formatDuration } from '../util/duration.js';
import { isPem, pemLabel } from '../transmit/fingerprint.js';
import { keyChangeReason } from './key-reasons.js';
import { writtenDuration } from '../audit/values-as-written.js';
import { compareText } from '../util/compare-text.js';

/** A value in a reason, as the manifest writes it (a duration as 24h, not 86400). */
function written(path: string, value: Json): string {
  if (isPem(value)) return pemLabel(value); // a public key by its fingerprint, never its PEM
  return DURATION_PATHS.has(path) && typeof value === 'number' ? formatDuration(value) : JSON.stringify(value);
}

export interface DesiredInput {
  settings: ProjectSettings;
  /** Manifest file:line of a setting (and of one member of a list), a lookup in memory. */
  sourceOf(path: string, member?: string): ChangeSource;
  /** What the manifest writes at a path (a lookup in memory); undefined: nobody wrote it. */
  writtenOf?(path: string): unknown;
}

export interface DiffResult {
  changes: Change[];
  unmanaged: string[];
}

/** The settings as shown in a create change and audit rows: everything but secrets (there are none here). */
export function publicSettings(s: ProjectSettings): Json {
  return JSON.parse(JSON.stringify(s)) as Json;
}

/** The note, when the database value being changed is the one break-glass set outside git. */
function outsideGit(note: OutsideGitNote | undefined, path: string, before: Json): OutsideGitNote | undefined {
  if (
    !note ||
    path !== 'spec.submissions' ||
    before !== (note.action === 'emergency-stop' ? 'emergency-stop' : 'normal')
  )
    return undefined;
  return note;
}

function breakGlassReason(note: OutsideGitNote): string {
  const what = note.action === 'emergency-stop' ? 'emergency stop' : 'emergency resume';
  return `drift: ${what} set outside git by ${note.actor} at ${note.at} ("${note.reason}"); update the manifest to keep it`;
}

function compareScalars(d: DesiredInput, c: ProjectSettings, note: OutsideGitNote | undefined, out: Change[]): void {
  const id = d.settings.id;
  const update = (path: string, before: Json, after: Json) => {
    if (jsonEqual(before, after)) return;
    const risk = updateRisks(path, before, after);
    const glass = outsideGit(note, path, before);
    const asWritten = writtenDuration(path, d.writtenOf?.(path));
    // The manifest no longer writes it: the value is what an absent setting means.
    const unwritten = d.writtenOf !== undefined && after !== null && d.writtenOf(path) === undefined;
    out.push({
      action: 'update',
      projectId: id,
      path,
      before,
      after,
      reason: glass
        ? breakGlassReason(glass)
        : `${path} differs: the manifest says ${asWritten ?? written(path, after)}, the database has ${written(path, before)}`,
      source: d.sourceOf(path),
      ...(asWritten ? { written: asWritten } : {}),
      ...(unwritten ? { default: true as const } : {}),
      ...(risk.length ? { risk } : {}),
      ...(entersBilling(path, before, after) ? { billing: true } : {}),
      ...(glass ? { outsideGit: glass } : {}),
    });
  };
  for (const field of SCALAR_FIELDS) update(field.path, field.get(c), field.get(d.settings));
  for (const method of AUTH_METHODS) {
    const want = d.settings.authMethods[method];
    const have = c.authMethods[method];
    update(authMethodEnabledPath(method), have.enabled, want.enabled);
    for (const group of OPTION_GROUPS) {
      const keys = [...new Set([...Object.keys(have[group]), ...Object.keys(want[group])])].sort();
      for (const key of keys)
        update(authOptionPath(method, group, key), have[group][key] ?? null, want[group][key] ?? null);
    }
  }
}

function compareSets(d: DesiredInput, c: ProjectSettings, out: Change[]): void {
  const id = d.settings.id;
  for (const [set, path] of Object.entries(SET_PATHS) as [SetName, string][]) {
    const want = setMembers(d.settings, set);
    const have = setMembers(c, set);
    // Looked up only when something changed: the list itself for removals, the item otherwise.
    const source = (member?: string) => d.sourceOf(path, member);
    const keyReason = (member: string, before: Json, after: Json, plain: string) =>
      set === 'encryptionKeys'
        ? keyChangeReason(member, before, after, d.settings.encryptionRetiredValidSeconds)
        : plain;
    for (const [member, after] of want) {
      const before = have.get(member);
      if (before === undefined) {
        const risk = set.startsWith('ipWhitelist') ? whitelistAddRisks([...have.keys()], [...want.keys()], member) : [];
        out.push({
          action: 'add',
          projectId: id,
          path,
          member,
          before: null,
          after,
          reason: keyReason(member, null, after, `${member} is in the manifest but not in the database`),
          source: source(member),
          ...(risk.length ? { risk } : {}),
        });
      } else if (!jsonEqual(before, after)) {
        const risk = updateRisks(path, before, after);
        out.push({
          action: 'update',
          projectId: id,
          path,
          member,
          before,
          after,
          reason: keyReason(member, before, after, `${member} differs`),
          source: source(member),
          ...(risk.length ? { risk } : {}),
        });
      }
    }
    for (const [member, before] of have) {
      if (want.has(member)) continue;
      const risk = removeRisks(path, want.size);
      out.push({
        action: 'remove',
        projectId: id,
        path,
        member,
        before,
        after: null,
        reason: keyReason(member, before, null, `${member} is in the database but not in the manifest`),
        source: source(),
        ...(risk.length ? { risk } : {}),
      });
    }
  }
}

export function compareChanges(a: Change, b: Change): number {
  return (
    compareText(a.projectId, b.projectId) ||
    ACTION_ORDER[a.action] - ACTION_ORDER[b.action] ||
    compareText(a.path, b.path) ||
    compareText(a.member ?? '', b.member ?? '')
  );
}

/**
 * Compares every desired project with the database. Projects only in the database are
 * `unmanaged` when the plan covers all projects; they are never changed.
 */
export function diffProjects(
  desired: readonly DesiredInput[],
  current: ReadonlyMap<string, ProjectSettings>,
  scopeAll: boolean,
  breakGlass: ReadonlyMap<string, OutsideGitNote> = new Map(),
): DiffResult {
  const changes: Change[] = [];
  const declared = new Set<string>();
  for (const d of desired) {
    declared.add(d.settings.id);
    const existing = current.get(d.settings.id);
    if (!existing) {
      changes.push({
        action: 'create',
        projectId: d.settings.id,
        path: 'project',
        before: null,
        after: publicSettings(d.settings),
        settings: createdSettings(d.settings, d.writtenOf),
        reason: 'the project is declared in a manifest but does not exist in the database',
        source: d.sourceOf('metadata.id'),
        ...(d.settings.status === 'OPEN' ? { billing: true } : {}),
      });
      continue;
    }
    compareScalars(d, existing, breakGlass.get(d.settings.id), changes);
    compareSets(d, existing, changes);
  }
  const unmanaged = scopeAll ? [...current.keys()].filter((id) => !declared.has(id)).sort() : [];
  return { changes: changes.sort(compareChanges), unmanaged };
}
