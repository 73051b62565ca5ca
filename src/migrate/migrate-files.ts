// `argosctl migrate`, as data: which manifest files would change and their new text. Nothing is
// written here. Every file must validate first (a broken file is not rewritten on a guess), and
// every rewritten document is checked to mean exactly what it meant before (its value equals the
// in-memory upgrade of the original, the one every command reads) and to pass the target schema.
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Diagnostic } from '../manifest/diagnostic.js';
import { MAX_FILE_BYTES, listManifestFiles, type ManifestFile } from '../manifest/read/load-files.js';
import { readManifests } from '../validate/read-manifests.js';
import { readInsideRoot, realRoot } from '../manifest/read/safe-read.js';
import { projectValidator, schemaValidators } from '../manifest/schemas.js';
import { selectManifestFiles } from '../manifest/read/select-files.js';
import { migrateText, migrationNotes, upgradeValue, versionOf } from '../manifest/versions/registry.js';
import { jsonEqual } from '../util/canonical-json.js';

export interface MigratedFile {
  file: ManifestFile;
  text: string;
  /** Documents rewritten in this file. */
  documents: number;
  /** What reads differently after the rewrite (see VersionStep.notes), for the user. */
  notes: string[];
}

export type MigrationPlan =
  | { ok: true; changed: MigratedFile[]; unchanged: number }
  | { ok: false; diagnostics: Diagnostic[]; files: string[] };

function valuesOf(text: string): unknown[] {
  return parseAllDocuments(text).flatMap((d) =>
    Array.isArray(d) ? [] : d.contents === null ? [] : [d.toJS({ maxAliasCount: 100 })],
  );
}

/** The files `only` names below `dir` (all of them when undefined), argosctl.yaml left out (it keeps its own version). */
function targets(dir: string, only: string[] | undefined): ManifestFile[] {
  const listing = listManifestFiles(dir);
  if (!Array.isArray(listing)) return [];
  const files = only ? selectManifestFiles(listing, path.resolve(dir), realRoot(dir)!, only, []).files : listing;
  return files.filter((f) => !f.isConfig);
}

/** Problems found while checking a rewritten document: a bug in a version step, never the user's. */
function checkRewrite(
  file: string,
  before: string,
  after: string,
  to: string,
  validate: (v: unknown) => boolean,
): string | undefined {
  const old = valuesOf(before);
  const now = valuesOf(after);
  if (old.length !== now.length) return `${file}: the rewrite changed the number of documents`;
  for (const [i, value] of old.entries()) {
    const kind = (value as { kind?: unknown } | null)?.kind;
    if (kind !== 'Project') continue;
    if (!jsonEqual(now[i], upgradeValue(value, versionOf(value), to)))
      return `${file}: document ${i + 1} would not mean the same after the rewrite`;
    if (!validate(now[i])) return `${file}: document ${i + 1} would not validate as ${to}`;
  }
  return undefined;
}

export async function planMigration(dir: string, only: string[] | undefined, to: string): Promise<MigrationPlan> {
  const read = await readManifests(dir, { only });
  const errors = read.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return { ok: false, diagnostics: errors, files: [...new Set(errors.map((d) => d.file))] };
  const validate = projectValidator(await schemaValidators(), to);
  const changed: MigratedFile[] = [];
  let unchanged = 0;
  for (const file of targets(dir, only)) {
    const bytes = readInsideRoot(file.root, file.full, MAX_FILE_BYTES);
    if (!bytes.ok) return { ok: false, diagnostics: [], files: [file.file] }; // validated a moment ago: it changed under us
    const text = bytes.bytes.toString('utf8');
    const migrated = migrateText(text, to);
    if (!migrated.ok) return { ok: false, diagnostics: [], files: [file.file] };
    if (migrated.text === text) {
      unchanged++;
      continue;
    }
    const problem = checkRewrite(file.file, text, migrated.text, to, validate);
    if (problem) throw new Error(problem);
    const notes = valuesOf(text).flatMap((v) => migrationNotes(v, versionOf(v), to));
    changed.push({ file, text: migrated.text, documents: migrated.changed, notes });
  }
  return { ok: true, changed, unchanged };
}
