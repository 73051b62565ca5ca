// Opening an envelope with the recipient's private key. Every failure is one plain sentence:
// a key that is not the recipient's is named by both fingerprints; anything else that does not
// decrypt (altered data, a forged envelope) is "altered or not for this key", nothing more.
import { constants, createDecipheriv, createECDH, privateDecrypt, type KeyObject } from 'node:crypto';
import { ALG_RSA, headerOf, readEnvelope, type Envelope } from './envelope.js';
import { keyFingerprint } from './fingerprint.js';
import { CEK_BYTES, ecContentKey } from './seal.js';
import { ALLOWED_TRANSMISSION_KEYS, checkTransmissionKey } from './transmission-key.js';
import { TransmitError } from './transmit-error.js';

const ALTERED = 'cannot open the sealed data: it was altered, or it was not sealed for this key';

function contentKey(privateKey: KeyObject, e: Envelope, header: string): Buffer {
  if (e.alg === ALG_RSA) {
    const cek = privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      e.ek!,
    );
    if (cek.length !== CEK_BYTES) throw new Error('content key length');
    return cek;
  }
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url'));
  return ecContentKey(ecdh.computeSecret(e.epk!), e.epk!, header);
}

/** The plaintext of `envelope` (the JSON text or its bytes), opened with the recipient's private key. */
export function open(privateKey: KeyObject, envelope: Buffer | string): Buffer {
  if (privateKey.type !== 'private')
    throw new TransmitError(
      "opening needs the recipient's private key",
      'give the PEM private key file (-----BEGIN PRIVATE KEY-----)',
    );
  const check = checkTransmissionKey(privateKey);
  if (!check.ok)
    throw new TransmitError(`cannot open with ${check.found}`, `secure transmission uses ${ALLOWED_TRANSMISSION_KEYS}`);
  const e = readEnvelope(envelope);
  const mine = keyFingerprint(privateKey);
  if (e.kid !== mine)
    throw new TransmitError(`the data was sealed for key ${e.kid}, not for this private key (${mine})`);
  if ((e.alg === ALG_RSA) !== (check.kind === 'rsa')) throw new TransmitError(ALTERED);
  const header = headerOf(e);
  try {
    const decipher = createDecipheriv('aes-256-gcm', contentKey(privateKey, e, header), e.iv);
    decipher.setAAD(Buffer.from(header, 'utf8'));
    decipher.setAuthTag(e.tag);
    return Buffer.concat([decipher.update(e.ct), decipher.final()]);
  } catch {
    throw new TransmitError(ALTERED);
  }
}
