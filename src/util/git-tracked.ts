// Whether git tracks a file: a file git tracks comes and goes with checkouts, so argosctl never
// writes a master key there (a pull request's branch can force-add an ignored path).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** True when the checkout `file` lies in tracks it; false outside one, or without git. */
export function trackedByGit(file: string): boolean {
  const absolute = path.resolve(file);
  try {
    execFileSync('git', ['ls-files', '--error-unmatch', '--', path.basename(absolute)], {
      cwd: path.dirname(absolute),
      stdio: 'ignore',
      timeout: 10_000,
    });
    return true;
  } catch {
    return false;
  }
}
