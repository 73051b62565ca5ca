// Sealing: a fresh AES-256-GCM content key per message, given to the recipient's public key
// (RSA-OAEP-SHA256, or ECDH-ES on P-256 with an ephemeral key and HKDF-SHA256). Pure: buffers and
// KeyObjects in, envelope text out. The format is docs/secure-transmission.md.
import {
  constants,
  createCipheriv,
  createECDH,
  createPublicKey,
  hkdfSync,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import {
  ALG_EC,
  ALG_RSA,
  CONTENT_ENCRYPTION,
  ENVELOPE_VERSION,
  IV_BYTES,
  headerOf,
  writeEnvelope,
  type Envelope,
  type KeyWrapAlg,
} from './envelope.js';
import { keyFingerprint } from './fingerprint.js';
import { ALLOWED_TRANSMISSION_KEYS, checkTransmissionKey } from './transmission-key.js';
import { TransmitError } from './transmit-error.js';

export const CEK_BYTES = 32;

/** The recipient's P-256 public point, uncompressed (0x04 ‖ X ‖ Y), as ECDH takes it. */
export function ecPoint(key: KeyObject): Buffer {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
}

/** EC content key: HKDF-SHA256 over the ECDH secret, salted with the ephemeral key, bound to the header. */
export function ecContentKey(sharedSecret: Buffer, epk: Buffer, header: string): Buffer {
  return Buffer.from(hkdfSync('sha256', sharedSecret, epk, Buffer.from(header, 'utf8'), CEK_BYTES));
}

function encryptContent(cek: Buffer, header: string, plaintext: Buffer): Pick<Envelope, 'iv' | 'tag' | 'ct'> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', cek, iv);
  cipher.setAAD(Buffer.from(header, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ct };
}

/** Seals `plaintext` for the holder of the private half of `publicKey`; returns the envelope JSON. */
export function seal(publicKey: KeyObject, plaintext: Buffer): string {
  if (publicKey.type !== 'public')
    throw new TransmitError(
      'sealing needs a public key',
      "give the recipient's PEM public key (-----BEGIN PUBLIC KEY-----)",
    );
  const check = checkTransmissionKey(publicKey);
  if (!check.ok)
    throw new TransmitError(
      `cannot seal for ${check.found}`,
      `secure transmission accepts ${ALLOWED_TRANSMISSION_KEYS}`,
    );
  const kid = keyFingerprint(publicKey);
  const alg: KeyWrapAlg = check.kind === 'rsa' ? ALG_RSA : ALG_EC;
  const header = headerOf({ alg, enc: CONTENT_ENCRYPTION, kid });
  if (check.kind === 'rsa') {
    const cek = randomBytes(CEK_BYTES);
    const ek = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, cek);
    return writeEnvelope({
      v: ENVELOPE_VERSION,
      alg,
      enc: CONTENT_ENCRYPTION,
      kid,
      ek,
      ...encryptContent(cek, header, plaintext),
    });
  }
  const ephemeral = createECDH('prime256v1');
  const epk = ephemeral.generateKeys();
  const cek = ecContentKey(ephemeral.computeSecret(ecPoint(publicKey)), epk, header);
  return writeEnvelope({
    v: ENVELOPE_VERSION,
    alg,
    enc: CONTENT_ENCRYPTION,
    kid,
    epk,
    ...encryptContent(cek, header, plaintext),
  });
}
