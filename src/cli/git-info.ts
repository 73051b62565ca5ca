// What git and the CI environment know about the commit being planned or applied.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { DirtyFile } from '../audit/values-as-written.js';
import type { GitInfo } from '../plan/plan-types.js';

function git(args: string[], cwd: string): string | undefined {
  try {
    return (
      execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/**
 * Whether git could see a checkout from `folder`: a `.git` in it or a folder above, or GIT_DIR
 * set. Outside one, git is not started at all (each start costs a process; plan started up to
 * seven).
 */
function maybeInCheckout(folder: string, env: NodeJS.ProcessEnv): boolean {
  if (env.GIT_DIR) return true;
  for (let dir = path.resolve(folder); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return true;
    if (path.dirname(dir) === dir) return false;
  }
}

/** The PR number from a GitHub event payload, or from a merge commit's message. */
export function prNumberFrom(env: NodeJS.ProcessEnv, commitMessage: string | undefined): number | undefined {
  if (env.GITHUB_EVENT_PATH) {
    try {
      const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
      const n = event.pull_request?.number ?? event.number;
      if (Number.isInteger(n)) return n;
    } catch {
      /* no readable event: fall back to the message */
    }
  }
  const m = commitMessage && (/Merge pull request #(\d+)/.exec(commitMessage) ?? /\(#(\d+)\)\s*$/m.exec(commitMessage));
  return m ? Number(m[1]) : undefined;
}

export function readGitInfo(cwd: string, env: NodeJS.ProcessEnv = process.env): GitInfo {
  const inCheckout = maybeInCheckout(cwd, env);
  // One `git log` gives the commit, its author and its message. GITHUB_SHA is a value from the
  // environment: after --end-of-options it can only be a revision.
  const logged = inCheckout
    ? git(['log', '-1', '--format=%H%x00%an <%ae>%x00%B', '--end-of-options', env.GITHUB_SHA || 'HEAD'], cwd)
    : undefined;
  const [hash, author, message] = (logged?.split('\0') ?? []).map((part) => part.trim() || undefined);
  const commit = env.GITHUB_SHA || hash;
  const branch =
    env.GITHUB_HEAD_REF ||
    env.GITHUB_REF_NAME ||
    (inCheckout ? git(['rev-parse', '--abbrev-ref', 'HEAD'], cwd) : undefined);
  const pr = prNumberFrom(env, message);
  return {
    ...(commit ? { commit } : {}),
    ...(branch ? { branch } : {}),
    ...(author ? { author } : {}),
    ...(pr ? { pr } : {}),
  };
}

/** Files an untracked file must look like to change what is planned: manifests and the public keys they name. */
const MANIFEST_FILE = /\.(ya?ml|pem)$/i;

/** Porcelain v1 -z records: `XY path` (a rename or copy is followed by its old path as its own record). */
export function parsePorcelain(output: string): { status: string; path: string }[] {
  const out: { status: string; path: string }[] = [];
  const records = output.split('\0');
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r.length < 4) continue;
    const status = r.slice(0, 2).trim() || r.slice(0, 2);
    out.push({ status, path: r.slice(3) });
    if (/[RC]/.test(r.slice(0, 2))) i++; // skip the old path of a rename or copy
  }
  return out;
}

/**
 * Whether the manifest folder differs from the commit: tracked files changed (staged or not) or
 * untracked manifest files, as `git status --porcelain` sees them; ignored files do not count.
 * Absent outside a git checkout (there is no commit to differ from).
 */
export function readWorktreeState(cwd: string, dir: string): Pick<GitInfo, 'dirty' | 'dirtyFiles'> {
  const folder = path.resolve(cwd, dir);
  if (!maybeInCheckout(folder, process.env)) return {};
  // The checkout's top folder and a check that HEAD is a commit, in one start of git.
  const [top, head] = git(['rev-parse', '--show-toplevel', '--verify', '--quiet', 'HEAD'], folder)?.split('\n') ?? [];
  if (!top || !head) return {};
  let output: string;
  try {
    output = execFileSync('git', ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', '.'], {
      cwd: folder,
      stdio: ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8',
    });
  } catch {
    return {};
  }
  const dirtyFiles: DirtyFile[] = parsePorcelain(output)
    .filter((e) => e.status !== '??' || MANIFEST_FILE.test(e.path))
    .map((e) => ({ path: e.path, status: e.status, sha256: digestOf(path.join(top, e.path)) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return dirtyFiles.length ? { dirty: true, dirtyFiles } : { dirty: false };
}

function digestOf(file: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return null; // deleted
  }
}

export function actorName(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ARGOSCTL_ACTOR) return env.ARGOSCTL_ACTOR;
  if (env.GITHUB_ACTOR) return `github:${env.GITHUB_ACTOR}`;
  if (env.USER || env.LOGNAME) return (env.USER || env.LOGNAME)!;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
