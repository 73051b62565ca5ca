// The Argos-Signature header, in the shape Stripe made familiar: `t=UNIX_SECONDS,v1=HEX[,v1=HEX]`,
// each v1 an HMAC-SHA256 over `${t}.${body}` keyed with one signing secret (the whole whsec_…
// string, as UTF-8). During a rotation's overlap there is one v1 per secret; a receiver accepts the
// delivery when any of them matches its secret and t is recent (this stops replays of old bodies).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'argos-signature';
export const EVENT_ID_HEADER = 'argos-event-id';
export const ATTEMPT_HEADER = 'argos-delivery-attempt';
/** How old a signed timestamp a receiver should accept (the README's example uses it). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

function hmac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${hmac(s, timestamp, body)}`)].join(',');
}

export type Verification = { ok: true } | { ok: false; reason: 'malformed' | 'too-old' | 'mismatch' };

/** What a receiver does (the README shows the same steps): parse, check the window, compare in constant time. */
export function verifySignature(
  header: string | undefined,
  body: string,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): Verification {
  const parts = (header ?? '').split(',').map((p) => p.split('=', 2) as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const candidates = parts
    .filter(([k, v]) => k === 'v1' && v && /^[0-9a-f]{64}$/.test(v))
    .map(([, v]) => Buffer.from(v!, 'hex'));
  if (!Number.isSafeInteger(t) || candidates.length === 0) return { ok: false, reason: 'malformed' };
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return { ok: false, reason: 'too-old' };
  const expected = Buffer.from(hmac(secret, t, body), 'hex');
  return candidates.some((c) => timingSafeEqual(c, expected)) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
