// The whole validation pipeline: files → YAML → schema → semantic rules → desired state.
import path from 'node:path';
import { configAbove } from '../config/find-config.js';
import { sha256 } from '../util/canonical-json.js';
import {
  capDiagnostics,
  compactDiagnostics,
  formatPath,
  sortDiagnostics,
  type CutProblems,
  type Diagnostic,
} from './diagnostic.js';
import { LIMITS, shown } from './limits.js';
import { quote } from './excerpt.js';
import { checkHostileValues } from './hostile-values.js';
import {
  listManifestFiles,
  parseManifestBytes,
  parseYamlText,
  readManifestBytes,
  type ManifestFile,
} from './load-files.js';
import { realRoot } from './safe-read.js';
import type { ProjectManifest } from './manifest-types.generated.js';
import { normalizeManifest } from './normalize.js';
import { EMPTY_ORGANIZATION, type Organization } from './organization.js';
import { readPublicKeyFile, type PublicKeyFile } from './public-key-file.js';
import { runLintRules } from './lint-rules.js';
import { runProjectRules, touches } from './rules.js';
import { checkSchema } from './schema-check.js';
import { projectValidator, schemaValidators, type Validators } from './schemas.js';
import { sourcePathMapper, upgradeValue, versionOf } from './versions/registry.js';
import { selectManifestFiles } from './select-files.js';
import {
  hashBytes,
  recordWarning,
  recordedDiagnostic,
  sourceKey,
  type ManifestRead,
  type ProjectSource,
  type SkipOracle,
} from './source-key.js';
import { locate, locatePath, upgradedView, type ParsedDocument } from './yaml-position.js';
import type { ProjectSettings } from '../model/project-settings.js';
import { SET_BY_PATH, memberKeyOfItem } from '../model/fields.js';
import { projectIdFold } from '../model/project-id.js';
import { checkPolicyConfig } from '../policy/check-policy-config.js';
import { checkAllowRules } from '../policy/check-allow-rules.js';
import type { PolicyReport } from '../policy/evaluate-policy.js';
import { checkPolicy } from '../policy/policy-diagnostics.js';

export interface DesiredProject {
  settings: ProjectSettings;
  file: string;
  /** Where the document's metadata.id sits. */
  line: number;
  /**
   * Line of a setting inside this project's document (re-parses its file on first use); with a
   * member, the line of that item of the list (an IP range, an admin, a key).
   */
  lineOf(path: string, member?: string): number;
  /** As lineOf, with the column, and whether the setting is written at all (else: its nearest written parent). */
  positionOf?(path: string, member?: string): SettingPosition;
  /** What the project's checked result depends on: apply records it to skip the file later. */
  source?: ProjectSource;
  /** The value the document writes at a manifest path (`24h`), or undefined when nobody wrote it. */
  written?(path: string): unknown;
}

/** The plain value at a dotted manifest path of a parsed document. */
function valueAtPath(value: unknown, path: string): unknown {
  let node = value;
  for (const segment of path.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

export interface SettingPosition {
  line: number;
  column: number;
  found: boolean;
}

/** A project declared by a file that was skipped (unchanged since it was checked valid; its warnings come from the record). */
export interface UnchangedProject {
  id: string;
  file: string;
}

/** The first manifest that declared a project id (keyed by the id folded to lower case). */
interface FirstSeen {
  id: string;
  where(): string;
}

export interface ManifestSet {
  projects: DesiredProject[];
  /** Projects of skipped files: known by id only, neither parsed nor diffed. */
  unchanged: UnchangedProject[];
  organization: Organization;
  /** The organisation policy's outcome per rule (absent when argosctl.yaml is invalid); violations are also in diagnostics. */
  policy?: PolicyReport;
  diagnostics: Diagnostic[];
  /** sha256 over every manifest file's path and bytes, in path order. */
  digest: string;
  fileCount: number;
  /** Absolute path of the argosctl.yaml that was read (at the root or above it naming it), if any. */
  configFile?: string;
}

/**
 * Keeping 10,000 parsed YAML documents alive costs hundreds of MB; only changed projects ever
 * need a position, so keep the text and parse again on demand, unless the fast path's line index
 * already knows the positions.
 */
function lazyLocator(parsed: ParsedDocument): (path: string, member?: string) => SettingPosition {
  const { file, index, text } = parsed;
  // Only a fast-path document is kept (its syntax tree is parsed on demand, never here).
  const indexed = 'positions' in parsed ? parsed : undefined;
  let again: ParsedDocument | undefined;
  return (path, member) => {
    if (!again && indexed?.positions) again = indexed; // the fast path's line index: no second parse
    if (!again) {
      const found = parseYamlText(file, text, []).find((d) => d.index === index);
      again = found && inCurrentVersion(found);
    }
    if (!again) return { line: 1, column: 1, found: false };
    const segs: (string | number)[] = path.split('.');
    const set = SET_BY_PATH.get(path);
    if (member !== undefined && set) {
      const items = segs.reduce<unknown>(
        (node, seg) => (node as Record<string, unknown> | undefined)?.[seg],
        again.value,
      );
      const at = Array.isArray(items) ? items.findIndex((item) => memberKeyOfItem(set, item) === member) : -1;
      if (at >= 0) segs.push(at);
    }
    return locatePath(again, segs);
  };
}

/**
 * The document as the current manifest version: unchanged when it is current, else its value
 * upgraded step by step and its positions looked up where the older file wrote them.
 */
function inCurrentVersion(parsed: ParsedDocument): ParsedDocument {
  const mapper = sourcePathMapper(versionOf(parsed.value));
  return mapper ? upgradedView(parsed, upgradeValue(parsed.value, versionOf(parsed.value)), mapper) : parsed;
}

export interface ReadOptions {
  /** Absolute paths of files or folders inside `dir` to read instead of all of it (argosctl.yaml is always read). */
  only?: string[];
  /** Skips the files it names unchanged (their ids are taken from it); absent: every file is checked. */
  skip?: SkipOracle;
}

export async function readManifests(dir: string, options: ReadOptions = {}): Promise<ManifestSet> {
  const { only, skip } = options;
  const diagnostics: Diagnostic[] = [];
  const all = listManifestFiles(dir);
  if (!Array.isArray(all)) {
    return {
      projects: [],
      unchanged: [],
      organization: EMPTY_ORGANIZATION,
      diagnostics: [all],
      digest: sha256(''),
      fileCount: 0,
    };
  }
  const validators = await schemaValidators();
  const fileDigests: string[] = [];
  let totalBytes = 0;
  const readBytes = (entry: ManifestFile) => {
    const bytes = readManifestBytes(entry, diagnostics);
    totalBytes += bytes?.length ?? 0;
    const digest = hashBytes(bytes ?? Buffer.alloc(0));
    fileDigests.push(`${entry.file}\0${digest}`);
    return { bytes, digest };
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
  let policyValid = false;
  if (config && !report(checkHostileValues(config)) && !report(checkSchema(config, validators.config))) {
    organization = config.value as Organization;
    policyValid = !report(checkPolicyConfig(config, organization));
    report(checkAllowRules(config, organization));
  }

  // File by file, so each parsed document can be dropped as soon as its project is normalized.
  const firstSeen = new Map<string, FirstSeen>();
  const projects: DesiredProject[] = [];
  const unchanged: UnchangedProject[] = [];
  const root = path.resolve(dir);
  const cut: CutProblems = { omitted: 0, error: false };
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
    const { bytes, digest } = readBytes(entry);
    if (!bytes) continue;
    const key = sourceKey(configDigest, path.relative(root, entry.full), digest);
    const skipped = skip?.(entry, key);
    if (skipped) {
      for (const { id, source } of skipped) {
        unchanged.push({ id, file: entry.file });
        for (const warning of source.warnings ?? []) diagnostics.push(recordedDiagnostic(entry.file, warning));
      }
      continue;
    }
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
  if (skip && crossesSkipped(projects, unchanged)) return readManifests(dir, { only });
  // Beside the per-document rules: the organisation policy over every valid project read. Skipped files
  // need no second look: their key covers argosctl.yaml, so they passed this very policy when applied.
  const policy = policyValid ? checkPolicy(projects, organization) : undefined;
  if (policy) report(policy.diagnostics);
  return {
    projects,
    unchanged,
    organization,
    policy: policy?.report,
    diagnostics: capDiagnostics(sortDiagnostics(diagnostics), LIMITS.problemsReported, cut),
    digest: sha256(fileDigests.sort().join('\n')),
    fileCount: listing.filter((entry) => !entry.isConfig).length,
    ...(configEntry ? { configFile: configEntry.full } : {}),
  };
}

function crossesSkipped(projects: readonly DesiredProject[], unchanged: readonly UnchangedProject[]): boolean {
  if (unchanged.length === 0) return false;
  // Folded as the duplicate rule folds them: ACME beside a skipped acme is the same project.
  const ids = new Set(unchanged.map((u) => projectIdFold(u.id)));
  return ids.size !== unchanged.length || projects.some((p) => ids.has(projectIdFold(p.settings.id)));
}

function checkDocument(
  original: ParsedDocument,
  entry: ManifestFile,
  validators: Validators,
  organization: Organization,
  firstSeen: Map<string, FirstSeen>,
  diagnostics: Diagnostic[],
  key: string,
  show = true,
): DesiredProject | undefined {
  const hostile = checkHostileValues(original);
  for (const problem of hostile) diagnostics.push(problem);
  if (hostile.length) return undefined;
  const kind = (original.value as { kind?: unknown } | null)?.kind;
  if (kind === 'Organization') {
    diagnostics.push({
      severity: 'error',
      rule: 'files.organization-place',
      file: original.file,
      ...locate(original, ['kind']),
      path: 'kind',
      message: 'kind Organization belongs only in argosctl.yaml at the manifest root',
      allowed: 'kind: Project here',
    });
    return undefined;
  }
  // The schema of the version the file is written in, so its problems name what the file says;
  // everything after sees the current version.
  const schemaProblems = checkSchema(original, projectValidator(validators, versionOf(original.value)), show);
  for (const problem of schemaProblems) diagnostics.push(problem);
  const parsed = inCurrentVersion(original);
  const manifest = parsed.value as ProjectManifest;
  if (schemaProblems.length) {
    // The rules the schema problems leave sound still run, so one misspelt field hides no other problem.
    const problemPaths = schemaProblems.map((problem) => problem.path);
    const publicKey = publicKeyOf(manifest, entry, problemPaths);
    for (const problem of runProjectRules({ manifest, parsed, organization, publicKey }, problemPaths))
      diagnostics.push(problem);
    return undefined;
  }
  // Lines are looked up only when needed (on the fast path a lookup parses the file with `yaml`);
  // the lookups keep the file's text, not its parsed documents.
  const positionOf = lazyLocator(parsed);
  const lineOf = (path: string, member?: string) => positionOf(path, member).line;
  // Ids that differ only in case are one project to people and to case-insensitive file systems.
  const folded = projectIdFold(manifest.metadata.id);
  const earlier = firstSeen.get(folded);
  if (earlier) {
    diagnostics.push({
      severity: 'error',
      rule: 'project.duplicate-id',
      file: parsed.file,
      ...locate(parsed, ['metadata', 'id']),
      path: formatPath(['metadata', 'id']),
      message: `project id ${quote(manifest.metadata.id)} is already declared at ${earlier.where()}${earlier.id === manifest.metadata.id ? '' : ` as ${quote(earlier.id)} (ids differing only in case are one project)`}`,
      allowed: 'each project id in exactly one manifest',
    });
    return undefined;
  }
  const file = parsed.file;
  firstSeen.set(folded, { id: manifest.metadata.id, where: () => `${file}:${lineOf('metadata.id')}` });
  const publicKey = publicKeyOf(manifest, entry, []);
  const problems = runProjectRules({ manifest, parsed, organization, publicKey });
  for (const problem of problems) diagnostics.push(problem);
  if (problems.length) return undefined;
  const warnings = runLintRules(manifest, parsed);
  for (const warning of warnings) diagnostics.push(warning);
  const lintIgnores = (manifest.lint?.ignore ?? []).map((i) => i.rule);
  const spki = publicKey?.ok ? publicKey.spki : null;
  const reads: ManifestRead[] = publicKey?.ok
    ? [{ written: manifest.spec.security!.secureTransmission!.publicKey!, sha256: publicKey.sha256 }]
    : [];
  return {
    settings: normalizeManifest(manifest, spki),
    file,
    get line() {
      return lineOf('metadata.id');
    },
    lineOf,
    positionOf,
    source: {
      key,
      fileProjects: 1,
      reads,
      ...(warnings.length ? { warnings: warnings.map(recordWarning) } : {}),
      ...(lintIgnores.length ? { lintIgnores } : {}),
    },
    written: (path) => valueAtPath(manifest, path),
  };
}

const PUBLIC_KEY_PATH = ['spec', 'security', 'secureTransmission', 'publicKey'];

/** The public key file the manifest names, unless a schema problem touches where it is named. */
function publicKeyOf(
  manifest: ProjectManifest,
  entry: ManifestFile,
  problemPaths: readonly string[],
): PublicKeyFile | undefined {
  if (problemPaths.some((problem) => touches(problem, PUBLIC_KEY_PATH))) return undefined;
  const written = manifest.spec.security?.secureTransmission?.publicKey;
  return written ? readPublicKeyFile(entry.root, entry.full, written) : undefined;
}
