// Octokit with retries (5xx, network) and rate-limit handling (primary and secondary limits).
import { randomUUID } from 'node:crypto';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { GithubEnv } from './github-env.js';

const ArgosOctokit = Octokit.plugin(retry, throttling);
export type GithubClient = InstanceType<typeof ArgosOctokit>;

export interface ClientOptions {
  /** Base of the retry back-off and of rate-limit waits in ms (tests make it small). */
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
      // Octokit spaces writes (1 s apart, 3 s for those that notify) per limiter id, across every
      // client in the process. One client serves one command: its own id keeps the spacing within
      // the command, as in a process of its own, also when commands run in one process (the tests).
      id: randomUUID(),
      ...(options.retryAfterBaseValue !== undefined ? { retryAfterBaseValue: options.retryAfterBaseValue } : {}),
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
