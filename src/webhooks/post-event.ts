// One HTTP delivery: POST the body with node's fetch, a timeout, no redirects followed (a 3xx is a
// failure: the receiver's URL is the one in the manifest, nowhere else). The response body is never
// read or logged: it is discarded, and the failure is described in our own short words.
import { ARGOSCTL_VERSION } from '../version.js';

export type PostResult = { ok: true; status: number } | { ok: false; reason: FailureReason; error: string };
/** Bounded set, used as a metrics label. */
export type FailureReason =
  | 'http-status'
  | 'redirect'
  | 'timeout'
  | 'connection'
  | 'refused-url'
  | 'signing'
  | 'sealing';

export interface PostRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

function networkError(error: unknown, timeoutMs: number): PostResult {
  const e = error as { name?: string; cause?: { code?: unknown; name?: unknown } };
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError')
    return { ok: false, reason: 'timeout', error: `no answer within ${timeoutMs} ms` };
  const code =
    typeof e.cause?.code === 'string' && /^[A-Z0-9_]{1,40}$/.test(e.cause.code) ? e.cause.code : 'network error';
  return { ok: false, reason: 'connection', error: `connection failed (${code})` };
}

export async function postEvent(request: PostRequest): Promise<PostResult> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': `argosctl-webhook/${ARGOSCTL_VERSION}`,
        ...request.headers,
      },
    });
  } catch (error) {
    return networkError(error, request.timeoutMs);
  }
  await response.body?.cancel().catch(() => {});
  if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
  if (response.status >= 300 && response.status < 400)
    return { ok: false, reason: 'redirect', error: `HTTP ${response.status} redirect, not followed` };
  return { ok: false, reason: 'http-status', error: `HTTP ${response.status}` };
}
