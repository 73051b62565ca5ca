// Which webhook URLs argosctl will POST to: https, without credentials in the URL; plain http only
// to a loopback address (a receiver on the same machine, for tests and local development).
// Checked at validate (with the manifest's file and line) and again by the worker before each
// delivery, since a row may have been written by hand.

export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);
export const WEBHOOK_URL_ALLOWED =
  'an https:// URL without user:password@ (http:// only for 127.0.0.1, localhost or [::1])';

export type UrlCheck = { ok: true; url: URL } | { ok: false; message: string; hint?: string };

// WHATWG URL parsing silently drops tabs and newlines and trims spaces: refuse them instead, so
// what is stored is exactly what is requested.
const UNSAFE_CHARACTERS = /[\u0000-\u0020\u007f-\u009f\u2028\u2029]/;

export function checkWebhookUrl(text: string): UrlCheck {
  if (UNSAFE_CHARACTERS.test(text))
    return { ok: false, message: 'the webhook URL contains spaces or control characters' };
  // Lenient spellings (https:host, backslashes) parse, but say something other than what is read.
  if ((/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) || text.includes('\\')) {
    return { ok: false, message: 'the webhook URL is not written as scheme://host/path' };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: 'the webhook URL is not a valid absolute URL' };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      message: 'the webhook URL holds credentials (user:password@)',
      hint: 'receivers verify the Argos-Signature header instead; remove the credentials',
    };
  }
  if (url.hash) return { ok: false, message: 'the webhook URL has a #fragment, which is never sent' };
  if (url.protocol === 'https:') return { ok: true, url };
  if (url.protocol === 'http:') {
    if (LOOPBACK_HOSTS.has(url.hostname)) return { ok: true, url };
    return {
      ok: false,
      message: `plain http is allowed only to a loopback address, not to ${url.hostname}`,
      hint: `use https://${url.host}${url.pathname}${url.search}`,
    };
  }
  return { ok: false, message: `the webhook URL uses ${url.protocol.replace(/:$/, '')}, not https` };
}
