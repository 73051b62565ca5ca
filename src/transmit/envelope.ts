// The sealed envelope (docs/secure-transmission.md): a compact JSON object, every binary field
// base64url without padding. This file only writes and reads the shape; seal.ts and open.ts do
// the cryptography. Reading checks every field before any key is used, and quotes nothing from
// the input in its errors (the input is untrusted).
import { TransmitError } from './transmit-error.js';

export const ENVELOPE_VERSION = 1;
export const CONTENT_ENCRYPTION = 'A256GCM';
export const ALG_RSA = 'RSA-OAEP-256';
export const ALG_EC = 'ECDH-ES+HKDF-SHA256';
export type KeyWrapAlg = typeof ALG_RSA | typeof ALG_EC;

export const IV_BYTES = 12;
export const TAG_BYTES = 16;
/** An uncompressed P-256 point: 0x04, X (32 bytes), Y (32 bytes). */
export const EPK_BYTES = 65;

export interface Envelope {
  v: typeof ENVELOPE_VERSION;
  alg: KeyWrapAlg;
  enc: typeof CONTENT_ENCRYPTION;
  /** Fingerprint of the recipient's public key (SHA256:base64 of its SPKI DER). */
  kid: string;
  /** RSA: the content key, RSA-OAEP-SHA256 encrypted. */
  ek?: Buffer;
  /** EC: the sender's ephemeral public key. */
  epk?: Buffer;
  iv: Buffer;
  tag: Buffer;
  ct: Buffer;
}

/**
 * The header string bound into the content encryption as GCM additional data (and, for EC, the
 * HKDF info): changing the algorithm or the recipient's fingerprint breaks the tag.
 */
export function headerOf(e: Pick<Envelope, 'alg' | 'enc' | 'kid'>): string {
  return `argos-sealed/${ENVELOPE_VERSION} ${e.alg} ${e.enc} ${e.kid}`;
}

const b64url = (b: Buffer) => b.toString('base64url');

/** Fixed key order, no whitespace: the same envelope always serializes to the same bytes. */
export function writeEnvelope(e: Envelope): string {
  return JSON.stringify({
    v: e.v,
    alg: e.alg,
    enc: e.enc,
    kid: e.kid,
    ...(e.ek ? { ek: b64url(e.ek) } : {}),
    ...(e.epk ? { epk: b64url(e.epk) } : {}),
    iv: b64url(e.iv),
    tag: b64url(e.tag),
    ct: b64url(e.ct),
  });
}

const KID = /^SHA256:[A-Za-z0-9+/]{43}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function notEnvelope(what: string): TransmitError {
  return new TransmitError(
    `not a sealed envelope: ${what}`,
    'give the JSON that `argosctl transmit seal` (or a sealed response) produced',
  );
}

function bytes(o: Record<string, unknown>, field: string, length?: number): Buffer {
  const value = o[field];
  if (typeof value !== 'string' || !BASE64URL.test(value)) throw notEnvelope(`"${field}" is not base64url text`);
  const decoded = Buffer.from(value, 'base64url');
  if (length !== undefined && decoded.length !== length) throw notEnvelope(`"${field}" is not ${length} bytes`);
  return decoded;
}

export function readEnvelope(input: Buffer | string): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof input === 'string' ? input : input.toString('utf8'));
  } catch {
    throw notEnvelope('the input is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw notEnvelope('the input is not a JSON object');
  const o = parsed as Record<string, unknown>;
  if (o.v !== ENVELOPE_VERSION)
    throw notEnvelope(`"v" is not ${ENVELOPE_VERSION} (this argosctl reads version ${ENVELOPE_VERSION})`);
  if (o.alg !== ALG_RSA && o.alg !== ALG_EC) throw notEnvelope(`"alg" is neither ${ALG_RSA} nor ${ALG_EC}`);
  if (o.enc !== CONTENT_ENCRYPTION) throw notEnvelope(`"enc" is not ${CONTENT_ENCRYPTION}`);
  if (typeof o.kid !== 'string' || !KID.test(o.kid)) throw notEnvelope('"kid" is not a SHA256: key fingerprint');
  const alg = o.alg;
  return {
    v: ENVELOPE_VERSION,
    alg,
    enc: CONTENT_ENCRYPTION,
    kid: o.kid,
    ...(alg === ALG_RSA ? { ek: bytes(o, 'ek') } : { epk: bytes(o, 'epk', EPK_BYTES) }),
    iv: bytes(o, 'iv', IV_BYTES),
    tag: bytes(o, 'tag', TAG_BYTES),
    ct: bytes(o, 'ct'),
  };
}
