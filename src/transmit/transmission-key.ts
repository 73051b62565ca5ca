// Which public keys secure transmission accepts: RSA of at least 2048 bits (RSA-OAEP-SHA256) and
// EC on P-256 (ECDH-ES). One rule, used by manifest validation, `transmit seal` and `serve`, so a
// key the manifest accepts is a key every sealer can use.
import type { KeyObject } from 'node:crypto';

export const MIN_RSA_BITS = 2048;
export const ALLOWED_TRANSMISSION_KEYS =
  `an RSA key of at least ${MIN_RSA_BITS} bits, ` + 'or an EC key on the P-256 curve (prime256v1)';

export type TransmissionKeyKind = 'rsa' | 'ec-p256';

export type TransmissionKeyCheck = { ok: true; kind: TransmissionKeyKind } | { ok: false; found: string };

/** Works on either half of a pair: a private key is checked by the public key it holds. */
export function checkTransmissionKey(key: KeyObject): TransmissionKeyCheck {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa') {
    const bits = details.modulusLength ?? 0;
    return bits >= MIN_RSA_BITS ? { ok: true, kind: 'rsa' } : { ok: false, found: `an RSA key of ${bits} bits` };
  }
  if (type === 'ec') {
    return details.namedCurve === 'prime256v1'
      ? { ok: true, kind: 'ec-p256' }
      : { ok: false, found: `an EC key on curve ${details.namedCurve ?? 'unknown'}` };
  }
  if (type === 'rsa-pss')
    return { ok: false, found: 'an RSA-PSS key (signature only; RSA-OAEP needs a plain rsaEncryption key)' };
  return { ok: false, found: `a key of type ${type ?? 'unknown'}` };
}
