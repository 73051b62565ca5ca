// A failed GitHub call as one clear line: what GitHub said (its short message, escaped later by
// the CLI), what to check, never the token and never the response body beyond that message.
import { UserError } from '../errors.js';
import type { GithubEnv } from './github-env.js';

interface OctokitFailure {
  status: number;
  response?: { data?: unknown };
  request?: { method?: string; url?: string };
  cause?: { code?: unknown; cause?: { code?: unknown }; message?: unknown };
  message?: unknown;
}

function isOctokitFailure(err: unknown): err is OctokitFailure {
  if (!(err instanceof Error) || (err.name !== 'HttpError' && err.name !== 'RequestError')) return false;
  return typeof (err as { status?: unknown }).status === 'number';
}

/** GitHub's own short message (`Bad credentials`), at most one line of 200 characters. */
function shortMessage(data: unknown): string | undefined {
  const message = (data as { message?: unknown } | undefined)?.message;
  if (typeof message !== 'string' || !message.trim()) return undefined;
  const line = message.trim().split(/\r?\n/)[0];
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** `PATCH /repos/acme/idv/issues/comments/7`: method and path only (no host, query or credentials). */
function what(err: OctokitFailure): string {
  try {
    const url = new URL(err.request?.url ?? '');
    return `${err.request?.method ?? 'GET'} ${url.pathname}`;
  } catch {
    return 'the request';
  }
}

const HINTS: Record<number, string> = {
  401: 'check GITHUB_TOKEN: it is missing, expired or revoked',
  403: 'the token lacks a permission: the workflow needs `permissions: pull-requests: write, statuses: write` (and `issues: write` for the drift issue)',
  404: 'check GITHUB_REPOSITORY and that the token can see the repository',
  422: 'GitHub rejected the content of the request; this may be a bug in argosctl, please report it',
};

/** The UserError for a failed GitHub call, or undefined when `err` is not one. */
export function githubFailure(err: unknown, env: GithubEnv): UserError | undefined {
  if (!isOctokitFailure(err)) return undefined;
  const hide = (s: string) => (env.token ? s.split(env.token).join('[REDACTED]') : s);
  if (!err.response) {
    const code = err.cause?.code ?? err.cause?.cause?.code;
    const reason = typeof code === 'string' ? code : 'no answer';
    let host = env.apiUrl;
    try {
      host = new URL(env.apiUrl).host;
    } catch {
      /* keep it as given */
    }
    return new UserError(
      hide(`cannot reach the GitHub API at ${host} (${reason})`),
      'check GITHUB_API_URL and the network; nothing was posted',
    );
  }
  const said = shortMessage(err.response.data);
  const status = `${err.status}${said ? ` ${said}` : ''}`;
  const hint =
    HINTS[err.status] ?? (err.status >= 500 ? 'GitHub failed after retries; run the job again later' : undefined);
  const verb = err.status >= 500 ? 'GitHub failed on' : 'GitHub refused';
  return new UserError(hide(`${verb} ${what(err)} (${status})`), hint);
}

/** Runs GitHub calls and turns their failures into one clear line. */
export async function withGithubErrors<T>(env: GithubEnv, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw githubFailure(err, env) ?? err;
  }
}
