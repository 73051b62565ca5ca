// Where a saved plan says its manifests came from: the manifest root relative to the repository
// (the git root; outside git, the working folder, where argosctl.yaml is then looked for), with '/'
// separators. apply FILE compares it with the root the current configuration names; it never
// reads manifests from a path found in the file.
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { GuardError, UserError } from '../errors.js';
import { excerpt } from '../manifest/excerpt.js';
import { findGitRoot } from './find-config.js';

const real = (p: string) => (existsSync(p) ? realpathSync(p) : path.resolve(p));

/** The folder recorded roots are relative to. */
export function recordedRootBase(cwd: string): string {
  return real(findGitRoot(cwd) ?? cwd);
}

/** `dir` relative to the base ('.' for the base itself), or undefined when it lies outside it. */
function relativeRoot(dir: string, cwd: string): string | undefined {
  const rel = path.relative(recordedRootBase(cwd), real(path.resolve(cwd, dir)));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel === '' ? '.' : rel.split(path.sep).join('/');
}

/** The root `plan --out` records; a folder outside the repository cannot be bound to, so it is refused. */
export function rootToRecord(dir: string, cwd: string): string {
  const rel = relativeRoot(dir, cwd);
  if (rel === undefined) {
    throw new UserError(
      `the manifest folder ${excerpt(dir, 80)} lies outside ${excerpt(recordedRootBase(cwd), 80)}; a saved plan records its folder relative to the repository`,
      'run argosctl plan --out from inside the repository that holds the manifests',
    );
  }
  return rel;
}

/** Why a root written in a plan file is not a plain relative folder, or undefined when it is one. */
function unsafeRoot(recorded: string): string | undefined {
  if (recorded === '.') return undefined;
  if (recorded === '' || /[\0\r\n]/.test(recorded)) return 'is not a folder name';
  if (recorded.startsWith('/') || recorded.startsWith('\\') || /^[A-Za-z]:/.test(recorded))
    return 'is an absolute path';
  if (recorded.split(/[\\/]/).some((seg) => seg === '..' || seg === '' || seg === '.')) {
    return 'is not a plain relative path (".", ".." or an empty segment)';
  }
  return undefined;
}

/**
 * Refuses (exit 3) a plan file whose recorded root is absolute, escapes the repository, or is not
 * the root the current configuration names (`dir`).
 */
export function assertSameRoot(recorded: unknown, dir: string, cwd: string): void {
  const shown = excerpt(JSON.stringify(recorded) ?? 'nothing', 80);
  const again =
    'nothing was written; apply reads the manifests the current configuration names: run argosctl plan --out there and review the new plan';
  if (typeof recorded !== 'string')
    throw new GuardError(`the plan file's manifestDir is ${shown}, not a folder`, again);
  const problem = unsafeRoot(recorded);
  if (problem) throw new GuardError(`the plan file's manifestDir ${shown} ${problem}; it is refused`, again);
  const current = relativeRoot(dir, cwd);
  if (current !== recorded) {
    throw new GuardError(
      `the plan was made from the manifest folder ${shown}, but the current configuration names ${excerpt(JSON.stringify(current ?? dir), 80)}`,
      again,
    );
  }
}
