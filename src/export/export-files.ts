// What `argosctl export` writes, as data: one manifest per project and its public key file.
// File names come only from the project id, and only when it fits the manifest's id grammar.
import { createPublicKey } from 'node:crypto';
import { PROJECT_ID_ALLOWED, isProjectId } from '../model/project-id.js';
import type { ProjectSettings } from '../model/project-settings.js';
import { manifestOf } from './manifest-of.js';
import { renderManifest } from './render-manifest.js';

export interface ExportFile {
  /** Path relative to the output folder, always `<id>.yaml` or `keys/<id>.pub.pem`. */
  rel: string;
  text: string;
}

export interface ExportProblem {
  projectId: string;
  message: string;
}

export const EXPORT_HEADER =
  'Exported by `argosctl export` from the database; "# default" marks values that equal the default.';

/** The public half as SPKI PEM; undefined when the stored text is not a public key (never write private material). */
function publicPem(stored: string): string | undefined {
  if (/PRIVATE/i.test(stored)) return undefined;
  try {
    return String(createPublicKey(stored).export({ type: 'spki', format: 'pem' })).trim() + '\n';
  } catch {
    return undefined;
  }
}

export function exportFiles(
  projects: readonly ProjectSettings[],
  schemaRef: string,
): { files: ExportFile[]; problems: ExportProblem[] } {
  const files: ExportFile[] = [];
  const problems: ExportProblem[] = [];
  for (const p of [...projects].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    // The database enforces the same grammar (migration 007); a row older than it may not fit.
    if (!isProjectId(p.id)) {
      problems.push({ projectId: p.id, message: `its id does not fit the project id grammar (${PROJECT_ID_ALLOWED})` });
      continue;
    }
    let keyRel: string | undefined;
    if (p.secureTransmissionPublicKey !== null) {
      const pem = publicPem(p.secureTransmissionPublicKey);
      if (!pem) {
        problems.push({
          projectId: p.id,
          message: 'the stored secure-transmission key is not a PEM public key; it was not exported',
        });
        continue;
      }
      keyRel = `keys/${p.id}.pub.pem`;
      files.push({ rel: keyRel, text: pem });
    }
    files.push({ rel: `${p.id}.yaml`, text: renderManifest(manifestOf(p, keyRel), schemaRef, EXPORT_HEADER) });
  }
  return { files, problems };
}
