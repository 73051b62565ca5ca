// `validate FILE|FOLDER…`: which manifest files of the root to read. Each named path must lie inside
// the manifest root; a named file is read under the same rules as any other (readInsideRoot), so a
// link or a file reached through a linked folder is refused when it leads outside the root.
import { lstatSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../diagnostic.js';
import { escapeText } from '../excerpt.js';
import { isInside } from './safe-read.js';
import type { ManifestFile } from './load-files.js';

export interface Selection {
  files: ManifestFile[];
  diagnostics: Diagnostic[];
}

function isRealFolder(full: string): boolean {
  try {
    const stats = lstatSync(full);
    return stats.isDirectory() && !stats.isSymbolicLink();
  } catch {
    return false;
  }
}

/** The error code of a path the file system cannot even look up (a name too long, a file used as a folder). */
function unusablePath(full: string): string | undefined {
  try {
    lstatSync(full, { throwIfNoEntry: false });
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'error';
  }
}

function problem(file: string, rule: string, message: string, allowed: string): Diagnostic {
  return { severity: 'error', rule, file, line: 1, column: 1, path: '(file)', message, allowed };
}

/**
 * The files of `listing` (everything below `root`) that `paths` name, in listing order. `paths` are
 * absolute; `configs` are the argosctl.yaml files that are always read, so naming one adds nothing.
 */
export function selectManifestFiles(
  listing: ManifestFile[],
  root: string,
  realRoot: string,
  paths: string[],
  configs: string[],
): Selection {
  const chosen = new Set<string>();
  const extra: ManifestFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const rootShown = path.relative(process.cwd(), root) || '.';
  for (const full of paths) {
    const shown = path.relative(process.cwd(), full) || full;
    if (configs.includes(full)) continue;
    const unusable = unusablePath(full);
    if (unusable) {
      const short = shown.length > 200 ? `${shown.slice(0, 200)}…` : shown;
      diagnostics.push(
        problem(
          short,
          'files.unreadable',
          `cannot be read (${unusable}): ${escapeText(short)}`,
          `an existing manifest file or folder inside ${rootShown}`,
        ),
      );
      continue;
    }
    if (!lstatSync(full, { throwIfNoEntry: false })) {
      diagnostics.push(
        problem(
          shown,
          'files.missing',
          `no such file or folder: ${escapeText(shown)}`,
          `an existing manifest file or folder inside ${rootShown}`,
        ),
      );
      continue;
    }
    if (!isInside(root, full)) {
      diagnostics.push(
        problem(
          shown,
          'files.outside-root',
          `${escapeText(shown)} is outside the manifest folder ${escapeText(rootShown)}`,
          `files or folders inside ${rootShown} (manifests: in argosctl.yaml, or --dir)`,
        ),
      );
      continue;
    }
    if (isRealFolder(full)) {
      for (const entry of listing) if (isInside(full, entry.full)) chosen.add(entry.full);
      continue;
    }
    const listed = listing.find((entry) => entry.full === full);
    if (listed) chosen.add(full);
    else if (!/\.ya?ml$/i.test(full)) {
      diagnostics.push(
        problem(
          shown,
          'files.not-manifest',
          `${escapeText(shown)} is not a manifest file`,
          'a *.yaml or *.yml file, or a folder',
        ),
      );
    } else if (!extra.some((e) => e.full === full)) {
      // Not found by the walk (below a dot-folder, or through a link): read it under the same rules.
      extra.push({ file: shown, full, isConfig: false, root: realRoot });
    }
  }
  return { files: [...listing.filter((entry) => chosen.has(entry.full)), ...extra], diagnostics };
}
