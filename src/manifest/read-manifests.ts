// The whole validation pipeline: files → YAML → schema → semantic rules → desired state.
import { createHash } from 'node:crypto';
import { formatPath, sortDiagnostics, type Diagnostic } from './diagnostic.js';
import { loadManifestFiles, parseYamlText } from './load-files.js';
import type { ProjectManifest } from './manifest-types.generated.js';
import { normalizeManifest } from './normalize.js';
import { EMPTY_ORGANIZATION, type Organization } from './organization.js';
import { runProjectRules } from './rules.js';
import { checkSchema } from './schema-check.js';
import { schemaValidators } from './schemas.js';
import { locate, type ParsedDocument } from './yaml-position.js';
import type { ProjectSettings } from '../model/project-settings.js';

export interface DesiredProject {
  settings: ProjectSettings;
  file: string;
  /** Where the document's metadata.id sits. */
  line: number;
  /** Line of a path inside this project's document (re-parses its file on first use). */
  lineOf(path: readonly (string | number)[]): number;
}

export interface ManifestSet {
  projects: DesiredProject[];
  organization: Organization;
  diagnostics: Diagnostic[];
  /** sha256 over every manifest file's path and bytes, in path order. */
  digest: string;
  fileCount: number;
}

/**
 * Keeping 10,000 parsed YAML documents alive costs hundreds of MB; only changed projects ever
 * need a position, so keep the text and parse again on demand.
 */
function lazyLocator(parsed: ParsedDocument): (path: readonly (string | number)[]) => number {
  const { file, index, text } = parsed;
  let again: ParsedDocument | undefined;
  return (path) => {
    again ??= parseYamlText(file, text, []).find((d) => d.index === index);
    return again ? locate(again, path).line : 1;
  };
}

function digestOf(contents: Map<string, Buffer>): string {
  const hash = createHash('sha256');
  for (const file of [...contents.keys()].sort()) hash.update(file).update('\0').update(contents.get(file)!).update('\0');
  return `sha256:${hash.digest('hex')}`;
}

export async function readManifests(dir: string): Promise<ManifestSet> {
  const loaded = await loadManifestFiles(dir);
  const diagnostics = [...loaded.diagnostics];
  const validators = schemaValidators();

  let organization = EMPTY_ORGANIZATION;
  if (loaded.config) {
    const problems = checkSchema(loaded.config, validators.config);
    diagnostics.push(...problems);
    if (problems.length === 0) organization = loaded.config.value as Organization;
  }

  const valid: { manifest: ProjectManifest; parsed: ParsedDocument }[] = [];
  for (const parsed of loaded.documents) {
    const kind = (parsed.value as { kind?: unknown } | null)?.kind;
    if (kind === 'Organization') {
      diagnostics.push({ severity: 'error', rule: 'files.organization-place', file: parsed.file, ...locate(parsed, ['kind']), path: 'kind',
        message: 'kind Organization belongs only in argosctl.yaml at the manifest root', allowed: 'kind: Project here' });
      continue;
    }
    const problems = checkSchema(parsed, validators.project);
    diagnostics.push(...problems);
    if (problems.length === 0) valid.push({ manifest: parsed.value as ProjectManifest, parsed });
  }

  const firstSeen = new Map<string, ParsedDocument>();
  const projects: DesiredProject[] = [];
  for (const { manifest, parsed } of valid) {
    const idPos = locate(parsed, ['metadata', 'id']);
    const earlier = firstSeen.get(manifest.metadata.id);
    if (earlier) {
      const where = `${earlier.file}:${locate(earlier, ['metadata', 'id']).line}`;
      diagnostics.push({ severity: 'error', rule: 'project.duplicate-id', file: parsed.file, ...idPos, path: formatPath(['metadata', 'id']),
        message: `project id "${manifest.metadata.id}" is already declared at ${where}`, allowed: 'each project id in exactly one manifest' });
      continue;
    }
    firstSeen.set(manifest.metadata.id, parsed);
    const problems = runProjectRules({ manifest, parsed, organization });
    diagnostics.push(...problems);
    if (problems.length === 0) projects.push({ settings: normalizeManifest(manifest, parsed.file), file: parsed.file, line: idPos.line, lineOf: lazyLocator(parsed) });
  }

  return { projects, organization, diagnostics: sortDiagnostics(diagnostics), digest: digestOf(loaded.contents), fileCount: loaded.contents.size };
}
