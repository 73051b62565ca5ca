// Every manifest version argosctl reads, and the steps between them. A document is checked
// against its own version's schema (so problems point at what the file says), then upgraded
// step by step to the current version, which is what the rules, the planner and export see.
// A new version: write its step module (see version-step.ts) and append it to STEPS.
import { parseAllDocuments, LineCounter } from 'yaml';
import { v1ToV2 } from './v1-to-v2.js';
import type { Seg, TextEdit, VersionStep } from './version-step.js';
import { applyEdits } from './yaml-edits.js';

const STEPS: readonly VersionStep[] = [v1ToV2];

export const OLDEST_VERSION = STEPS[0].from;
export const CURRENT_VERSION = STEPS[STEPS.length - 1].to;
/** Oldest first. */
export const VERSIONS: readonly string[] = [OLDEST_VERSION, ...STEPS.map((s) => s.to)];

/** `argosctl/v2` → `v2`, the short form commands and schema file names use. */
export const shortVersion = (version: string) => version.replace(/^argosctl\//, '');

/** The schema file of a version: schemas/project.v1.json, … */
export const schemaFileOf = (version: string) => `project.${shortVersion(version)}.json`;

export function isKnownVersion(value: unknown): value is string {
  return typeof value === 'string' && VERSIONS.includes(value);
}

/** The version a document says it is in; an unknown or missing one is checked as the current version (whose schema names what is allowed). */
export function versionOf(value: unknown): string {
  const said = (value as { apiVersion?: unknown } | null)?.apiVersion;
  return isKnownVersion(said) ? said : CURRENT_VERSION;
}

function stepsBetween(from: string, to: string): VersionStep[] {
  const start = VERSIONS.indexOf(from);
  const end = VERSIONS.indexOf(to);
  return start < 0 || end < start ? [] : STEPS.slice(start, end);
}

/** The document's value in the current version (unchanged when it is already current). */
export function upgradeValue(value: unknown, from: string, to = CURRENT_VERSION): unknown {
  return stepsBetween(from, to).reduce((v, step) => step.upgradeValue(v), value);
}

/** What migrating the document from `from` to `to` changes in its reading (each step's notes, in order). */
export function migrationNotes(value: unknown, from: string, to = CURRENT_VERSION): string[] {
  const out: string[] = [];
  let v = value;
  for (const step of stepsBetween(from, to)) {
    out.push(...(step.notes?.(v) ?? []));
    v = step.upgradeValue(v);
  }
  return out;
}

/** Maps a path of the upgraded value back to where a `from` document wrote it. */
export function sourcePathMapper(from: string): ((path: readonly Seg[]) => Seg[]) | undefined {
  const steps = stepsBetween(from, CURRENT_VERSION);
  if (!steps.length) return undefined;
  return (path) => steps.reduceRight<Seg[]>((p, step) => step.sourcePath(p), [...path]);
}

/** Every JSON Schema from the oldest: the oldest is hand-written, each later one derived by its step. */
export function schemasFrom(oldest: Record<string, unknown>): Map<string, Record<string, unknown>> {
  const out = new Map([[OLDEST_VERSION, oldest]]);
  let schema = oldest;
  for (const step of STEPS) out.set(step.to, (schema = step.upgradeSchema(schema)));
  return out;
}

const MODELINE = /^#\s*yaml-language-server:\s*\$schema=\S*?(?=\r?$)/gm;

/** Editor modelines naming the previous version's schema file name the next one's, so editors check what the file now is. */
function modelineEdits(text: string, step: VersionStep): TextEdit[] {
  const from = schemaFileOf(step.from);
  const out: TextEdit[] = [];
  for (const m of text.matchAll(MODELINE)) {
    const at = m[0].lastIndexOf(from);
    if (at >= 0 && at + from.length === m[0].length)
      out.push({ start: m.index + at, end: m.index + m[0].length, text: schemaFileOf(step.to) });
  }
  return out;
}

export type Migrated = { ok: true; text: string; changed: number } | { ok: false; message: string };

/**
 * A file's text with every Project document older than `to` rewritten to `to`, step by step.
 * Documents already at `to`, and documents of other kinds, are left as they are.
 */
export function migrateText(text: string, to = CURRENT_VERSION): Migrated {
  let current = text;
  let changed = 0;
  for (const step of stepsBetween(OLDEST_VERSION, to)) {
    const docs = parseAllDocuments(current, { lineCounter: new LineCounter(), uniqueKeys: true, strict: true });
    const list = Array.isArray(docs) ? docs : [];
    const error = list.flatMap((d) => d.errors)[0];
    if (error) return { ok: false, message: `not valid YAML (${error.code})` };
    const edits: TextEdit[] = [];
    for (const doc of list) {
      const found = step.edits(doc, current);
      if (found.length) changed++;
      edits.push(...found);
    }
    if (edits.length) edits.push(...modelineEdits(current, step));
    current = applyEdits(current, edits);
  }
  return { ok: true, text: current, changed };
}
