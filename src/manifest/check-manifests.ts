// Reading and checking the manifests, stage by stage: files are listed and read (read/), unchanged
// ones recognised by their source key (read/source-key.ts), the rest parsed and checked document by
// document (check/), each seen as the current version (versions/). The organisation policy is not
// called here: it reads the checked set (src/validate/read-manifests.ts).
import path from 'node:path';
import { configAbove } from '../config/find-config.js';
import { sha256 } from '../util/canonical-json.js';
import { compactDiagnostics, type CutProblems, type Diagnostic } from './diagnostic.js';
import { LIMITS, shown } from './limits.js';
import { checkHostileValues } from './check/hostile-values.js';
import { checkDocument, type FirstSeen } from './check/check-document.js';
import { checkSchema } from './check/schema-check.js';
import type { DesiredProject, ManifestSet, UnchangedProject } from './manifest-set.js';
import { listManifestFiles, parseManifestBytes, readManifestBytes, type ManifestFile } from './read/load-files.js';
import { realRoot } from './read/safe-read.js';
import { selectManifestFiles } from './read/select-files.js';
import { hashBytes, recordedDiagnostic, sourceKey, type SkipOracle, type SkippedProject } from './read/source-key.js';
import type { FileSignatures } from './read/file-signatures.js';
import type { ParsedDocument } from './read/yaml-position.js';
import { EMPTY_ORGANIZATION, type Organization } from './organization.js';
import { schemaValidators, type Validators } from './schemas.js';
import { projectIdFold } from '../model/project-id.js';

/** The checked set before the policy: its problems collected (not yet capped), and argosctl.yaml when it is sound. */
export interface CheckedManifests extends Omit<ManifestSet, 'policy'> {
  /** argosctl.yaml parsed, when it has no hostile value and passes its schema (the policy's settings are checked from it). */
  config?: ParsedDocument;
  /** Problems already cut while collecting (see capDiagnostics). */
  cut: CutProblems;
}

export interface ReadOptions {
  /** Absolute paths of files or folders inside `dir` to read instead of all of it (argosctl.yaml is always read). */
  only?: string[];
  /** Skips the files it names unchanged (their ids are taken from it); absent: every file is checked. */
  skip?: SkipOracle;
  /** validate's memory of files as last read: a file that still looks so is not read to be skipped. */
  signatures?: FileSignatures;
  /** The folder's listing (listManifestFiles), when the caller has already made it. */
  listing?: ManifestFile[] | Diagnostic;
}

export async function checkManifests(dir: string, options: ReadOptions = {}): Promise<CheckedManifests> {
  const { only, skip, signatures } = options;
  const diagnostics: Diagnostic[] = [];
  const all = options.listing ?? listManifestFiles(dir);
  if (!Array.isArray(all)) {
    return {
      projects: [],
      unchanged: [],
      organization: EMPTY_ORGANIZATION,
      diagnostics: [all],
      digest: sha256(''),
      fileCount: 0,
      cut: { omitted: 0, error: false },
      configDigest: '',
      otherReads: new Map(),
    };
  }
  // Loaded when a document is first checked: a run that skips every file never loads them (400 kB).
  let validators: Validators | undefined;
  const fileDigests: string[] = [];
  let totalBytes = 0;
  const counted = (entry: ManifestFile, size: number, digest: string) => {
    totalBytes += size;
    fileDigests.push(`${entry.file}\0${digest}`);
  };
  const readBytes = (entry: ManifestFile) => {
    const read = readManifestBytes(entry, diagnostics);
    const digest = hashBytes(read?.bytes ?? Buffer.alloc(0));
    if (read) signatures?.remember(entry, read.stats, digest);
    return { bytes: read?.bytes, digest };
  };

  // A loop, not push(...list): a list of 100,000 problems overflows the call stack.
  const report = (problems: Diagnostic[]) => {
    for (const problem of problems) diagnostics.push(problem);
    return problems.length;
  };

  let organization = EMPTY_ORGANIZATION;
  // argosctl.yaml at the root, or the one above it whose `manifests:` names this folder.
  const above = configAbove(dir);
  const configEntry =
    all.find((f) => f.isConfig) ??
    (above
      ? {
          file: path.relative(process.cwd(), above) || above,
          full: above,
          isConfig: true,
          root: realRoot(path.dirname(above)) ?? path.dirname(above),
        }
      : undefined);
  const configRead = configEntry ? readBytes(configEntry) : undefined;
  if (configEntry && configRead) counted(configEntry, configRead.bytes?.length ?? 0, configRead.digest);
  const config =
    configEntry && configRead?.bytes ? parseManifestBytes(configEntry, configRead.bytes, diagnostics)[0] : undefined;
  const configDigest = configRead?.digest ?? '';
  let listing = all;
  if (only) {
    const configs = configEntry ? [configEntry.full] : [];
    const selection = selectManifestFiles(all, path.resolve(dir), realRoot(dir)!, only, configs);
    report(selection.diagnostics);
    listing = [...all.filter((f) => f.isConfig), ...selection.files];
  }
  if (config) validators = await schemaValidators();
  const soundConfig =
    config && !report(checkHostileValues(config)) && !report(checkSchema(config, validators!.config))
      ? config
      : undefined;
  if (soundConfig) organization = soundConfig.value as Organization;

  // File by file, so each parsed document can be dropped as soon as its project is normalized.
  const firstSeen = new Map<string, FirstSeen>();
  const projects: DesiredProject[] = [];
  const unchanged: UnchangedProject[] = [];
  const root = path.resolve(dir);
  const cut: CutProblems = { omitted: 0, error: false };
  const keyOf = (entry: ManifestFile, digest: string) =>
    sourceKey(configDigest, entry.fromRoot ?? path.relative(root, entry.full), digest);
  const skipUnchanged = (entry: ManifestFile, found: readonly SkippedProject[]) => {
    for (const { id, source } of found) {
      unchanged.push({ id, file: entry.file });
      for (const warning of source.warnings ?? []) diagnostics.push(recordedDiagnostic(entry.file, warning));
    }
  };
  for (const entry of listing) {
    if (entry.isConfig) continue;
    compactDiagnostics(diagnostics, LIMITS.problemsReported, cut);
    if (totalBytes > LIMITS.totalManifestBytes) {
      diagnostics.push({
        severity: 'error',
        rule: 'limits.total-bytes',
        file: entry.file,
        line: 1,
        column: 1,
        path: '(file)',
        message: `the manifests read so far exceed ${shown(LIMITS.totalManifestBytes)} bytes; this file and those after it were not read`,
        allowed: `at most ${shown(LIMITS.totalManifestBytes)} bytes of manifests per run; validate parts of the folder`,
      });
      break;
    }
    // A file validate remembers unchanged on disk is not read: its digest comes from the memory.
    const recalled = skip && signatures?.recall(entry);
    const fromMemory = recalled ? skip(entry, keyOf(entry, recalled.digest)) : undefined;
    if (recalled && fromMemory) {
      counted(entry, recalled.size, recalled.digest);
      skipUnchanged(entry, fromMemory);
      continue;
    }
    const { bytes, digest } = readBytes(entry);
    counted(entry, bytes?.length ?? 0, digest);
    if (!bytes) continue;
    const key = keyOf(entry, digest);
    const skipped = skip?.(entry, key);
    if (skipped) {
      skipUnchanged(entry, skipped);
      continue;
    }
    validators ??= await schemaValidators();
    const declared: DesiredProject[] = [];
    const fileStart = diagnostics.length;
    for (const parsed of parseManifestBytes(entry, bytes, diagnostics)) {
      // Documents come in line order: once this file has more problems than are reported, those
      // of later documents sort after them and are only counted.
      const show = diagnostics.length - fileStart < LIMITS.problemsReported;
      const project = checkDocument(parsed, entry, validators, organization, firstSeen, diagnostics, key, show);
      if (project) declared.push(project);
    }
    for (const project of declared) {
      project.source!.fileProjects = declared.length;
      projects.push(project);
    }
  }
  // A rule across files (an id declared twice) that involves a skipped file: check everything, so
  // the problem reads exactly as without skipping.
  if (skip && crossesSkipped(projects, unchanged)) return checkManifests(dir, { only });
  return {
    projects,
    unchanged,
    organization,
    diagnostics,
    cut,
    ...(soundConfig ? { config: soundConfig } : {}),
    digest: sha256(fileDigests.sort().join('\n')),
    fileCount: listing.filter((entry) => !entry.isConfig).length,
    configDigest,
    otherReads: all[0]?.folders?.readDigests ?? new Map(),
    ...(configEntry ? { configFile: configEntry.full } : {}),
  };
}

function crossesSkipped(projects: readonly DesiredProject[], unchanged: readonly UnchangedProject[]): boolean {
  if (unchanged.length === 0) return false;
  // Folded as the duplicate rule folds them: ACME beside a skipped acme is the same project.
  const ids = new Set(unchanged.map((u) => projectIdFold(u.id)));
  return ids.size !== unchanged.length || projects.some((p) => ids.has(projectIdFold(p.settings.id)));
}
