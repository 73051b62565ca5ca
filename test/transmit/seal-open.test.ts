// The sealing core: round trips on every accepted key kind, wrong keys and altered envelopes fail
// with one plain sentence (a TransmitError, exit 1 in the CLI), and unsupported keys are refused.
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { readEnvelope } from '../../src/transmit/envelope.js';
import { keyFingerprint } from '../../src/transmit/fingerprint.js';
import { open } from '../../src/transmit/open.js';
import { seal } from '../../src/transmit/seal.js';
import { sealForProject } from '../../src/transmit/seal-for-project.js';
import { TransmitError } from '../../src/transmit/transmit-error.js';

type Pair = { publicKey: KeyObject; privateKey: KeyObject };
const pairs: Record<string, Pair> = {};

beforeAll(() => {
  pairs['RSA 2048'] = generateKeyPairSync('rsa', { modulusLength: 2048 });
  pairs['RSA 3072'] = generateKeyPairSync('rsa', { modulusLength: 3072 });
  pairs['EC P-256'] = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  pairs['EC P-256 (other)'] = generateKeyPairSync('ec', { namedCurve: 'P-256' });
});

const edit = (envelope: string, change: (e: Record<string, unknown>) => void) => {
  const e = JSON.parse(envelope) as Record<string, unknown>;
  change(e);
  return JSON.stringify(e);
};
const flip = (b64: unknown) => {
  const b = Buffer.from(String(b64), 'base64url');
  b[b.length - 1] ^= 0x01;
  return b.toString('base64url');
};

describe('seal → open', () => {
  for (const kind of ['RSA 2048', 'RSA 3072', 'EC P-256']) {
    it(`round-trips on ${kind}: empty, text and 1 MiB binary; the envelope names the key, leaks no plaintext`, () => {
      const { publicKey, privateKey } = pairs[kind];
      for (const plaintext of [
        Buffer.alloc(0),
        Buffer.from('{"tokenId":"SECRET-CANARY-42"}'),
        randomBytes(1024 * 1024),
      ]) {
        const envelope = seal(publicKey, plaintext);
        expect(open(privateKey, envelope).equals(plaintext)).toBe(true);
        expect(envelope).not.toContain('SECRET-CANARY');
        const e = readEnvelope(envelope);
        expect(e.kid).toBe(keyFingerprint(publicKey));
        expect(e.alg).toBe(kind.startsWith('RSA') ? 'RSA-OAEP-256' : 'ECDH-ES+HKDF-SHA256');
      }
      // a fresh content key and IV every time: sealing twice never gives the same envelope
      expect(seal(publicKey, Buffer.from('x'))).not.toBe(seal(publicKey, Buffer.from('x')));
    });
  }

  it("sealForProject takes the stored PEM and a string, and the project's private key opens it", () => {
    const { publicKey, privateKey } = pairs['EC P-256'];
    const pem = String(publicKey.export({ type: 'spki', format: 'pem' }));
    expect(open(privateKey, sealForProject(pem, '{"registered":1}')).toString()).toBe('{"registered":1}');
  });

  it('a wrong key fails with one sentence naming both fingerprints, on every key kind', () => {
    const sealed = seal(pairs['RSA 2048'].publicKey, Buffer.from('hello'));
    for (const wrong of ['RSA 3072', 'EC P-256']) {
      const attempt = () => open(pairs[wrong].privateKey, sealed);
      expect(attempt).toThrow(TransmitError);
      expect(attempt).toThrow(
        `the data was sealed for key ${keyFingerprint(pairs['RSA 2048'].publicKey)}, ` +
          `not for this private key (${keyFingerprint(pairs[wrong].publicKey)})`,
      );
    }
    const ec = seal(pairs['EC P-256'].publicKey, Buffer.from('hello'));
    expect(() => open(pairs['EC P-256 (other)'].privateKey, ec)).toThrow(
      /^the data was sealed for key SHA256:\S+, not for this private key/,
    );
  });

  it('a lying kid (this key\'s fingerprint on another\'s envelope) and every altered field fail as "altered"', () => {
    for (const kind of ['RSA 2048', 'EC P-256']) {
      const { publicKey, privateKey } = pairs[kind];
      const sealed = seal(publicKey, Buffer.from('hello'));
      const wrapped = kind.startsWith('RSA') ? 'ek' : 'epk';
      const variants = [
        edit(sealed, (e) => {
          e.ct = flip(e.ct);
        }),
        edit(sealed, (e) => {
          e.tag = flip(e.tag);
        }),
        edit(sealed, (e) => {
          e.iv = flip(e.iv);
        }),
        edit(sealed, (e) => {
          e[wrapped] = flip(e[wrapped]);
        }),
      ];
      for (const v of variants) expect(() => open(privateKey, v), `${kind} ${v}`).toThrow(TransmitError);
      // sealed for another key, relabelled with this key's fingerprint
      const other = kind.startsWith('RSA') ? pairs['RSA 3072'] : pairs['EC P-256 (other)'];
      const relabelled = edit(seal(other.publicKey, Buffer.from('hello')), (e) => {
        e.kid = keyFingerprint(publicKey);
      });
      expect(() => open(privateKey, relabelled)).toThrow(
        'cannot open the sealed data: it was altered, or it was not sealed for this key',
      );
    }
  });

  it('malformed envelopes are refused before any key is used, without quoting the input', () => {
    const { privateKey } = pairs['EC P-256'];
    const sealed = seal(pairs['EC P-256'].publicKey, Buffer.from('x'));
    const cases: [string, RegExp][] = [
      ['\u001b[31mnot json', /the input is not JSON$/],
      ['[1,2]', /not a JSON object$/],
      [
        edit(sealed, (e) => {
          e.v = 2;
        }),
        /"v" is not 1/,
      ],
      [
        edit(sealed, (e) => {
          e.alg = 'none';
        }),
        /"alg" is neither/,
      ],
      [
        edit(sealed, (e) => {
          e.kid = 'SHA256:\u001b[2J';
        }),
        /"kid" is not a SHA256: key fingerprint$/,
      ],
      [
        edit(sealed, (e) => {
          e.iv = 'AAAA';
        }),
        /"iv" is not 12 bytes$/,
      ],
      [
        edit(sealed, (e) => {
          e.epk = '!!';
        }),
        /"epk" is not base64url text$/,
      ],
    ];
    for (const [input, message] of cases) {
      const attempt = () => open(privateKey, input);
      expect(attempt).toThrow(message);
      expect(attempt).not.toThrow(/\u001b/);
    }
  });

  it('refuses keys it cannot use: RSA 1024, P-384, Ed25519, RSA-PSS, and a private key to seal with', () => {
    const refused: [KeyObject, RegExp][] = [
      [generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, /cannot seal for an RSA key of 1024 bits/],
      [generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey, /cannot seal for an EC key on curve secp384r1/],
      [generateKeyPairSync('ed25519').publicKey, /cannot seal for a key of type ed25519/],
      [generateKeyPairSync('rsa-pss', { modulusLength: 1024 }).publicKey, /cannot seal for an RSA-PSS key/],
      [pairs['EC P-256'].privateKey, /sealing needs a public key/],
    ];
    for (const [key, message] of refused) expect(() => seal(key, Buffer.from('x'))).toThrow(message);
    expect(() => open(pairs['EC P-256'].publicKey, '{}')).toThrow(/opening needs the recipient's private key/);
  });
});
