// The published URL format: the vectors decrypt with plain node:crypto (no argosctl code) and, for
// ECB, with the openssl binary; argosctl's own functions give the same bytes for the same IV and
// refuse what they must (tampered, unknown key, method not accepted, malformed).
import { execFileSync } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decryptParams, encryptParams, parseEncrypted } from '../../src/url/liveform-url.js';
import { keyFingerprint, keyIdOf } from '../../src/keys/encryption-keys.js';
import { ROOT } from '../helpers/cli.js';

interface Vector {
  name: string;
  method: 'GCM' | 'ECB';
  keyHex: string;
  keyId: string;
  ivHex?: string;
  aad?: string;
  plaintext: string;
  params: Record<string, string>;
  encrypted: string;
  url: string;
}
const file = JSON.parse(readFileSync(path.join(ROOT, 'docs/url-encryption-vectors.json'), 'utf8')) as {
  vectors: Vector[];
  invalid: (Vector & { expectedError: string })[];
};

/** What a customer writes from docs/url-encryption.md alone. */
function plainDecrypt(v: { keyHex: string; encrypted: string }): string {
  const [method, keyId, data64] = v.encrypted.split('.');
  const data = Buffer.from(data64, 'base64url');
  const key = Buffer.from(v.keyHex, 'hex');
  if (method === 'ecb') {
    const d = createDecipheriv('aes-256-ecb', key, null);
    return Buffer.concat([d.update(data), d.final()]).toString('utf8');
  }
  const d = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
  d.setAAD(Buffer.from(`gcm.${keyId}`, 'ascii'));
  d.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([d.update(data.subarray(12, data.length - 16)), d.final()]).toString('utf8');
}

describe('the published URL encryption vectors', () => {
  it('holds both methods, and each key id is the first 12 hex digits of SHA-256 of the key', () => {
    expect(new Set(file.vectors.map((v) => v.method))).toEqual(new Set(['GCM', 'ECB']));
    for (const v of file.vectors) expect(v.keyId).toBe(keyIdOf(keyFingerprint(Buffer.from(v.keyHex, 'hex'))));
  });

  it('every vector decrypts with plain node:crypto to its plaintext; the tampered one fails', () => {
    for (const v of file.vectors) {
      expect(plainDecrypt(v), v.name).toBe(v.plaintext);
      expect(JSON.parse(v.plaintext)).toEqual(v.params);
      expect(new URL(v.url).searchParams.get('encrypted')).toBe(v.encrypted);
    }
    for (const v of file.invalid) expect(() => plainDecrypt(v)).toThrow(/unable to authenticate/);
  });

  it('the ECB vectors decrypt with the openssl binary', () => {
    const ecb = file.vectors.filter((v) => v.method === 'ECB');
    expect(ecb.length).toBeGreaterThanOrEqual(2);
    for (const v of ecb) {
      const data = Buffer.from(v.encrypted.split('.')[2], 'base64url');
      const out = execFileSync('openssl', ['enc', '-d', '-aes-256-ecb', '-K', v.keyHex], { input: data });
      expect(out.toString('utf8'), v.name).toBe(v.plaintext);
    }
  });

  it('argosctl encrypts to the same bytes (same IV) and opens every vector; the tampered one is encrypted_tampered', () => {
    for (const v of file.vectors) {
      const key = { keyId: v.keyId, material: Buffer.from(v.keyHex, 'hex') };
      expect(encryptParams(v.params, key, v.method, v.ivHex ? Buffer.from(v.ivHex, 'hex') : undefined), v.name).toBe(
        v.encrypted,
      );
      expect(decryptParams(v.encrypted, [key], ['GCM', 'ECB'])).toMatchObject({ params: v.params, method: v.method });
    }
    const bad = file.invalid[0];
    expect(() =>
      decryptParams(bad.encrypted, [{ keyId: bad.keyId, material: Buffer.from(bad.keyHex, 'hex') }], ['GCM']),
    ).toThrow(expect.objectContaining({ code: bad.expectedError }));
  });
});

describe('opening encrypted parameters refuses', () => {
  const v = file.vectors.find((x) => x.method === 'GCM')!;
  const key = { keyId: v.keyId, material: Buffer.from(v.keyHex, 'hex') };
  const code = (f: () => unknown) => {
    try {
      f();
      return 'opened';
    } catch (err) {
      return (err as { code?: string }).code;
    }
  };

  it('a fresh random IV per URL: two builds differ and both open', () => {
    const a = encryptParams({ token: 't' }, key, 'GCM');
    const b = encryptParams({ token: 't' }, key, 'GCM');
    expect(a).not.toBe(b);
    expect(decryptParams(b, [key], ['GCM']).params).toEqual({ token: 't' });
  });

  it('an unknown key id, a method the project does not accept, malformed values, swapped key ids, non-string values', () => {
    expect(code(() => decryptParams(v.encrypted, [{ ...key, keyId: '000000000000' }], ['GCM']))).toBe(
      'encrypted_unknown_key',
    );
    expect(code(() => decryptParams(v.encrypted, [key], ['ECB']))).toBe('encrypted_method_not_accepted');
    for (const bad of [
      '',
      'gcm.630dcd2966c4',
      'aes.630dcd2966c4.AAAA',
      'gcm.630DCD2966C4.AAAA',
      'gcm.630dcd2966c4.AA+A',
      'x'.repeat(9000),
    ]) {
      expect(
        code(() => decryptParams(bad, [key], ['GCM', 'ECB'])),
        bad.slice(0, 20),
      ).toBe('encrypted_invalid');
    }
    // The AAD binds the key id: the same data under another id of the same material is refused.
    const other = { keyId: 'aaaaaaaaaaaa', material: key.material };
    expect(code(() => decryptParams(v.encrypted.replace(v.keyId, other.keyId), [other], ['GCM']))).toBe(
      'encrypted_tampered',
    );
    expect(code(() => decryptParams(encryptParams({ a: 1 } as never, key, 'ECB'), [key], ['ECB']))).toBe(
      'encrypted_invalid',
    );
    expect(code(() => decryptParams(`ecb.${v.keyId}.${Buffer.alloc(16).toString('base64url')}`, [key], ['ECB']))).toBe(
      'encrypted_invalid',
    );
    expect(parseEncrypted(v.encrypted)).toMatchObject({ method: 'GCM', keyId: v.keyId });
  });
});
