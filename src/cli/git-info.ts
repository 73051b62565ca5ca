// What git and the CI environment know about the commit being planned or applied.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
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
  const commit = env.GITHUB_SHA || git(['rev-parse', 'HEAD'], cwd);
  const branch = env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || git(['rev-parse', '--abbrev-ref', 'HEAD'], cwd);
  // GITHUB_SHA is a value from the environment: after --end-of-options it can only be a revision.
  const author = commit ? git(['log', '-1', '--format=%an <%ae>', '--end-of-options', commit], cwd) : undefined;
  const message = commit ? git(['log', '-1', '--format=%B', '--end-of-options', commit], cwd) : undefined;
  const pr = prNumberFrom(env, message);
  return {
    ...(commit ? { commit } : {}),
    ...(branch ? { branch } : {}),
    ...(author ? { author } : {}),
    ...(pr ? { pr } : {}),
  };
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
