// Keys as `transmit` takes them: PEM text (the bytes of a file), checked against the transmission
// key rule before use. Errors name what was given and what is accepted, never the key's text.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { ALLOWED_TRANSMISSION_KEYS, checkTransmissionKey } from './transmission-key.js';
import { TransmitError } from './transmit-error.js';

function usable(key: KeyObject, what: string): KeyObject {
  const check = checkTransmissionKey(key);
  if (!check.ok)
    throw new TransmitError(`${what} holds ${check.found}`, `secure transmission accepts ${ALLOWED_TRANSMISSION_KEYS}`);
  return key;
}

/** A public key (SPKI PEM, or a certificate); a private key is refused: sealing never needs one. */
export function parsePublicKey(pem: Buffer, what: string): KeyObject {
  if (/PRIVATE KEY/.test(pem.toString('latin1'))) {
    throw new TransmitError(
      `${what} holds a PRIVATE key; sealing needs only the public key`,
      'openssl pkey -in key.pem -pubout -out key.pub.pem',
    );
  }
  try {
    return usable(createPublicKey(pem), what);
  } catch (err) {
    if (err instanceof TransmitError) throw err;
    throw new TransmitError(`${what} is not a PEM public key`, 'a file that starts with -----BEGIN PUBLIC KEY-----');
  }
}

/** A private key (PKCS#8, or PKCS#1 / SEC1 PEM), optionally encrypted with `passphrase`. */
export function parsePrivateKey(pem: Buffer, what: string, passphrase?: string): KeyObject {
  const text = pem.toString('latin1');
  if (!/PRIVATE KEY-----/.test(text))
    throw new TransmitError(`${what} is not a PEM private key`, 'a file that starts with -----BEGIN PRIVATE KEY-----');
  const encrypted = /ENCRYPTED/.test(text);
  if (encrypted && passphrase === undefined) {
    throw new TransmitError(
      `${what} is encrypted with a passphrase`,
      'name the environment variable that holds it with --passphrase-env NAME',
    );
  }
  try {
    return usable(createPrivateKey({ key: pem, ...(passphrase !== undefined ? { passphrase } : {}) }), what);
  } catch (err) {
    if (err instanceof TransmitError) throw err;
    throw new TransmitError(
      encrypted ? `${what} cannot be decrypted with the passphrase given` : `${what} is not a readable PEM private key`,
    );
  }
}
