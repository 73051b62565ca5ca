// Sealing secret material at rest: AES-256-GCM under the master key, with a random 12-byte IV.
// Layout: version byte (1) · IV (12) · tag (16) · ciphertext. The AAD names what is sealed
// (e.g. "api-key:PROJECT:3"), so a sealed value cannot be moved to another row and opened there.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';

const VERSION = 1;

export function seal(masterKey: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

export function open(masterKey: Buffer, sealed: Uint8Array, aad: string): Buffer {
  const data = Buffer.from(sealed);
  if (data.length < 29 || data[0] !== VERSION) throw new UserError(`sealed ${aad} has an unknown format`);
  const decipher = createDecipheriv('aes-256-gcm', masterKey, data.subarray(1, 13));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(data.subarray(13, 29));
  try {
    return Buffer.concat([decipher.update(data.subarray(29)), decipher.final()]);
  } catch {
    throw new UserError(
      `cannot open the sealed ${aad}: wrong master key, or the value was altered`,
      'use the master key that was in force at apply',
    );
  }
}
