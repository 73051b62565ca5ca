// Which Liveform URL a request came from, for private mode ("prevents reuse of authentication-
// completed URLs") when no pre-registered token carries the identity. An encrypted URL is its
// `encrypted` payload: each one the customer mints is different (a fresh IV), and nobody without
// the key can make another that opens. A plain URL is its `pid` and parameters (and token), in a
// canonical order; `lang` is left out, since it only picks the display language. Plain
// parameters can be edited into a "new" URL, so the guarantee is as strong as the URL: use
// encrypted URLs (encryptedOnly) or pre-registered tokens where it matters.
import { createHash } from 'node:crypto';

/** Parameters that do not make a URL another URL. */
export const URL_IDENTITY_IGNORES = ['lang'];

export function urlIdentity(input: {
  projectId: string;
  tokenId?: string;
  params?: Record<string, string>;
  encrypted?: string;
}): string {
  const hash = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url');
  if (input.encrypted !== undefined) return `e:${hash(input.encrypted)}`;
  const params = Object.entries(input.params ?? {})
    .filter(([k]) => !URL_IDENTITY_IGNORES.includes(k) && k !== 'pid' && k !== 'encrypted')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `p:${hash(JSON.stringify([input.projectId, input.tokenId ?? input.params?.token ?? null, params]))}`;
}
