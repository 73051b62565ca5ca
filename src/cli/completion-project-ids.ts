// Project ids for shell completion of `--project`: a quick look at the manifests' `metadata.id`
// lines (block or flow style), without validating anything. Completion must answer at once and
// never fail loudly, so an unreadable file is skipped.
import { listManifestFiles, MAX_FILE_BYTES } from '../manifest/read/load-files.js';
import { readInsideRoot } from '../manifest/read/safe-read.js';
import { isProjectId } from '../model/project-id.js';

const BLOCK = /^metadata:[ \t]*(?:#.*)?\n(?:(?:[ \t]+.*|[ \t]*)\n)*?[ \t]+id:[ \t]*["']?([^"'\s#]+)/gm;
const FLOW = /^metadata:[ \t]*\{[^}]*?\bid:[ \t]*["']?([^"'\s,}#]+)/gm;

export function completionProjectIds(dir: string): string[] {
  const files = listManifestFiles(dir);
  if (!Array.isArray(files)) return [];
  const ids = new Set<string>();
  for (const file of files) {
    if (file.isConfig) continue;
    const read = readInsideRoot(file.root, file.full, MAX_FILE_BYTES);
    if (!read.ok) continue;
    const text = read.bytes.toString('utf8');
    for (const pattern of [BLOCK, FLOW])
      for (const match of text.matchAll(pattern)) if (isProjectId(match[1])) ids.add(match[1]);
  }
  return [...ids].sort();
}
