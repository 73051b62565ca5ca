// Uncommitted means uncommitted: an apply from manifest files that differ from the commit cannot
// say "this commit" was applied. In CI (the `CI` variable set) it is refused; on a workstation it
// goes on with a warning, and the audit trail records it as dirty, with the digests of the files.
import { GuardError } from '../errors.js';
import type { GitInfo } from '../plan/plan-types.js';

export interface DirtyVerdict {
  dirty: boolean;
  /** Shown on stderr when the apply goes on. */
  warning?: string;
}

function fileList(git: Pick<GitInfo, 'dirtyFiles'>): string {
  const files = git.dirtyFiles ?? [];
  const shown = files.slice(0, 5).map((f) => `${f.status} ${f.path}`);
  return shown.join(', ') + (files.length > 5 ? `, … (${files.length} files)` : '');
}

/**
 * `now`: the working tree at apply; `planned`: what a saved plan recorded when it was made.
 * Throws GuardError (exit 3) in CI when either is dirty.
 */
export function checkDirtyTree(
  now: Pick<GitInfo, 'dirty' | 'dirtyFiles'>,
  planned: Pick<GitInfo, 'dirty' | 'dirtyFiles'> | undefined,
  env: NodeJS.ProcessEnv,
): DirtyVerdict {
  const which = now.dirty ? now : planned?.dirty ? planned : undefined;
  if (!which) return { dirty: false };
  const when =
    which === now
      ? 'the manifest folder differs from the commit'
      : 'the saved plan was made from manifest files that differed from their commit';
  if (env.CI)
    throw new GuardError(
      `apply refused: ${when} (${fileList(which)}); in CI only committed manifests are applied`,
      'commit the manifest changes (or remove the untracked files) and run again',
    );
  return {
    dirty: true,
    warning: `warning: ${when} (${fileList(which)}); the audit trail records this apply as dirty, with the files' digests`,
  };
}
