// Octokit with retries (5xx, network) and rate-limit handling (primary and secondary limits).
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { GithubEnv } from './github-env.js';

const ArgosOctokit = Octokit.plugin(retry, throttling);
export type GithubClient = InstanceType<typeof ArgosOctokit>;

export interface ClientOptions {
  /** Base of the retry back-off in ms (tests make it small). */
  retryAfterBaseValue?: number;
  onRetry?(message: string): void;
}

export function githubClient(env: GithubEnv, options: ClientOptions = {}): GithubClient {
  const note = options.onRetry ?? (() => {});
  return new ArgosOctokit({
    auth: env.token,
    baseUrl: env.apiUrl.replace(/\/$/, ''),
    userAgent: 'argosctl',
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    retry: {
      retries: 3,
      ...(options.retryAfterBaseValue !== undefined ? { retryAfterBaseValue: options.retryAfterBaseValue } : {}),
    },
    throttle: {
      onRateLimit: (after: number, o: { method: string; url: string }, _k: unknown, retryCount: number) => {
        note(`rate limit on ${o.method} ${o.url}; retrying after ${after}s`);
        return retryCount < 2;
      },
      onSecondaryRateLimit: (after: number, o: { method: string; url: string }, _k: unknown, retryCount: number) => {
        note(`secondary rate limit on ${o.method} ${o.url}; retrying after ${after}s`);
        return retryCount < 2;
      },
    },
  });
}
