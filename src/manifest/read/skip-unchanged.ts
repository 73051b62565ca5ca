// Which files need no reading beyond their hash: those whose source (bytes, path, argosctl.yaml,
// tool version) is one a trusted record names, whose other read files still hash the same, and
// which declare exactly the projects recorded for it. A record carries the warnings its file had,
// so a file with warnings is skipped like a clean one and its warnings are shown again. The records come from the database (what
// apply recorded) or from validate's local cache; both are only ever written by argosctl itself.
import type { ManifestFile } from './load-files.js';
import { readsUnchanged, type ProjectSource, type SkipOracle, type SkippedProject } from './source-key.js';

/**
 * The warnings shown again are those the check found after the document's lint ignores silenced
 * theirs, so a record whose warnings include a rule it also records as ignored was not written by
 * that check (a hand-edited row, a damaged cache): it is not trusted, and the file is checked again.
 */
export function findingsAgree(source: ProjectSource): boolean {
  const ignored = source.lintIgnores;
  return !ignored?.length || !source.warnings?.some((w) => ignored.includes(w.rule));
}

/** `records`: project id → the source it was recorded valid (and, for a database, applied) from. */
export function skipOracle(records: Iterable<[string, ProjectSource | undefined]>): SkipOracle {
  const byKey = new Map<string, SkippedProject[]>();
  for (const [id, source] of records) {
    // Left out, its file declares a project the records lack, so the file is read and checked.
    if (!source || !findingsAgree(source)) continue;
    const list = byKey.get(source.key);
    if (list) list.push({ id, source });
    else byKey.set(source.key, [{ id, source }]);
  }
  return (entry: ManifestFile, key: string) => {
    const found = byKey.get(key);
    // Every project the file declared must still be recorded: one missing (deleted, or changed
    // since) means the file is read and checked again.
    if (!found || found.some((r) => r.source.fileProjects !== found.length)) return undefined;
    if (!found.every((r) => readsUnchanged(entry, r.source.reads))) return undefined;
    return found;
  };
}

/** Oracle over the database's records (src/db/applied-sources.ts): only projects as last applied. */
export function appliedOracle(revisions: ReadonlyMap<string, { applied?: ProjectSource }>): SkipOracle {
  return skipOracle([...revisions].map(([id, r]) => [id, r.applied]));
}
