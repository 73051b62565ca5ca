// Stage 2 for one parsed document: hostile values, schema (of the version it is written in), then,
// seen as the current version, the semantic rules and lint; a valid one becomes a desired project
// carrying what its check concluded (src/manifest/read/source-key.ts records it).
import { formatPath, type Diagnostic } from '../diagnostic.js';
import { quote } from '../excerpt.js';
import type { ProjectManifest } from '../manifest-types.generated.js';
import type { DesiredProject } from '../manifest-set.js';
import type { Organization } from '../organization.js';
import type { ManifestFile } from '../read/load-files.js';
import { recordWarning, type ManifestRead } from '../read/source-key.js';
import { locate, type ParsedDocument } from '../read/yaml-position.js';
import { projectValidator, type Validators } from '../schemas.js';
import { inCurrentVersion } from '../versions/current-view.js';
import { versionOf } from '../versions/registry.js';
import { projectIdFold } from '../../model/project-id.js';
import { checkHostileValues } from './hostile-values.js';
import { runLintRules } from './lint-rules.js';
import { normalizeManifest } from './normalize.js';
import { readPublicKeyFile, type PublicKeyFile } from './public-key-file.js';
import { runProjectRules, touches } from './rules.js';
import { checkSchema } from './schema-check.js';
import { lazyLocator } from './setting-locator.js';

/** The first manifest that declared a project id (keyed by the id folded to lower case). */
export interface FirstSeen {
  id: string;
  where(): string;
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

export function checkDocument(
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
  return written ? readPublicKeyFile(entry.root, entry.full, written, entry.folders) : undefined;
}
