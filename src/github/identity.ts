// Who argosctl posts as, so it only ever edits its own comment and its own drift issue: the
// login given with --comment-author, else the token's user (GET /user), else the GitHub Actions
// bot, because the GITHUB_TOKEN of Actions may not call GET /user (403 "Resource not accessible
// by integration") and posts as github-actions[bot].
import type { GithubClient } from './client.js';

export const ACTIONS_BOT = 'github-actions[bot]';

export interface PostingIdentity {
  login: string;
  /** How it was found, for the one line argosctl prints about it. */
  source: 'flag' | 'token' | 'actions-fallback';
}

export async function postingIdentity(client: GithubClient, override: string | undefined): Promise<PostingIdentity> {
  if (override) return { login: override, source: 'flag' };
  try {
    const { data } = await client.rest.users.getAuthenticated();
    return { login: data.login, source: 'token' };
  } catch (err) {
    if ((err as { status?: unknown }).status === 403) return { login: ACTIONS_BOT, source: 'actions-fallback' };
    throw err;
  }
}

/** GitHub logins are case-insensitive. */
export function isAuthor(user: { login?: string } | null | undefined, identity: PostingIdentity): boolean {
  return typeof user?.login === 'string' && user.login.toLowerCase() === identity.login.toLowerCase();
}

export function describeIdentity(identity: PostingIdentity): string {
  switch (identity.source) {
    case 'flag':
      return `as ${identity.login} (--comment-author)`;
    case 'token':
      return `as ${identity.login} (the token's user)`;
    case 'actions-fallback':
      return `as ${identity.login} (GET /user is not allowed for this token; pass --comment-author LOGIN if the token posts as another account)`;
  }
}
