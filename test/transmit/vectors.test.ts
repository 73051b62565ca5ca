// The published vectors (docs/secure-transmission-vectors.json) open with a from-scratch opener
// written here from docs/secure-transmission.md and plain node:crypto only, and with argosctl's
// own; the must-fail entries fail both. A customer's implementation can be checked the same way.
import {
  constants,
  createDecipheriv,
  createECDH,
  createHash,
  createPrivateKey,
  createPublicKey,
  hkdfSync,
  privateDecrypt,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { open } from '../../src/transmit/open.js';

interface VectorFile {
  keys: Record<string, { fingerprint: string; publicKeyPem: string; privateKeyPem: string }>;
  vectors: { name: string; key: string; plaintextBase64url: string; envelope: string }[];
  mustFail: { name: string; key: string; envelope: string }[];
}
const file = JSON.parse(readFileSync('docs/secure-transmission-vectors.json', 'utf8')) as VectorFile;

/** The document's recipe, step by step, with nothing from src/. */
function openAsDocumented(privateKeyPem: string, envelopeJson: string): Buffer {
  const e = JSON.parse(envelopeJson) as Record<string, string | number>;
  const b = (field: string) => Buffer.from(String(e[field]), 'base64url');
  if (e.v !== 1 || e.enc !== 'A256GCM') throw new Error('unknown version');
  const privateKey = createPrivateKey(privateKeyPem);
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const kid = `SHA256:${createHash('sha256').update(spki).digest('base64').replace(/=+$/, '')}`;
  if (e.kid !== kid) throw new Error('not sealed for this key');
  const header = Buffer.from(`argos-sealed/1 ${e.alg} A256GCM ${e.kid}`, 'utf8');
  let cek: Buffer;
  if (e.alg === 'RSA-OAEP-256') {
    cek = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, b('ek'));
  } else if (e.alg === 'ECDH-ES+HKDF-SHA256') {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url'));
    cek = Buffer.from(hkdfSync('sha256', ecdh.computeSecret(b('epk')), b('epk'), header, 32));
  } else {
    throw new Error('unknown alg');
  }
  const decipher = createDecipheriv('aes-256-gcm', cek, b('iv'));
  decipher.setAAD(header);
  decipher.setAuthTag(b('tag'));
  return Buffer.concat([decipher.update(b('ct')), decipher.final()]);
}

describe('published secure-transmission vectors', () => {
  it("cover both key kinds, and every fingerprint is SHA-256 of the key's SPKI DER", () => {
    expect(new Set(file.vectors.map((v) => JSON.parse(v.envelope).alg))).toEqual(
      new Set(['RSA-OAEP-256', 'ECDH-ES+HKDF-SHA256']),
    );
    for (const k of Object.values(file.keys)) {
      const der = createPublicKey(k.publicKeyPem).export({ type: 'spki', format: 'der' });
      expect(k.fingerprint).toBe(`SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`);
    }
  });

  it.each(file.vectors.map((v) => [v.name, v] as const))(
    '%s opens with plain node:crypto and with argosctl',
    (_name, v) => {
      const key = file.keys[v.key];
      const expected = Buffer.from(v.plaintextBase64url, 'base64url');
      expect(openAsDocumented(key.privateKeyPem, v.envelope).equals(expected)).toBe(true);
      expect(open(createPrivateKey(key.privateKeyPem), v.envelope).equals(expected)).toBe(true);
    },
  );

  it.each(file.mustFail.map((v) => [v.name, v] as const))('%s fails with both openers', (_name, v) => {
    const key = file.keys[v.key];
    expect(() => openAsDocumented(key.privateKeyPem, v.envelope)).toThrow();
    expect(() => open(createPrivateKey(key.privateKeyPem), v.envelope)).toThrow(/altered|sealed for key/);
  });
});
