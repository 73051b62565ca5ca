// Writes docs/secure-transmission-vectors.json: throwaway key pairs and envelopes sealed with them,
// so an implementer in any language can check an opener (and test/transmit/vectors.test.ts checks
// ours and a from-scratch node:crypto one). Run: npx tsx scripts/gen-transmit-vectors.ts
// Envelopes are random each run (fresh content keys, IVs, ephemeral keys); any run's file is valid.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { keyFingerprint } from '../src/transmit/fingerprint.js';
import { seal } from '../src/transmit/seal.js';

const pairs: Record<string, { publicKey: KeyObject; privateKey: KeyObject }> = {
  'rsa-2048': generateKeyPairSync('rsa', { modulusLength: 2048 }),
  'ec-p256': generateKeyPairSync('ec', { namedCurve: 'P-256' }),
};

const messages: { name: string; plaintext: Buffer }[] = [
  { name: 'empty', plaintext: Buffer.alloc(0) },
  { name: 'token-count-json', plaintext: Buffer.from('{"registered":3,"expired":1}') },
  { name: 'utf8-text', plaintext: Buffer.from('Secure transmission: ยืนยันตัวตน, 本人確認, Identitätsprüfung ✓') },
  { name: 'binary-300', plaintext: Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) % 256)) },
];

const keys = Object.fromEntries(
  Object.entries(pairs).map(([name, p]) => [
    name,
    {
      fingerprint: keyFingerprint(p.publicKey),
      publicKeyPem: String(p.publicKey.export({ type: 'spki', format: 'pem' })),
      privateKeyPem: String(p.privateKey.export({ type: 'pkcs8', format: 'pem' })),
    },
  ]),
);

const vectors = Object.entries(pairs).flatMap(([key, p]) =>
  messages.map((m) => ({
    name: `${key}/${m.name}`,
    key,
    plaintextBase64url: m.plaintext.toString('base64url'),
    envelope: seal(p.publicKey, m.plaintext),
  })),
);

// Must fail: the same envelope with one ciphertext byte changed, and with its kid swapped to the other key.
const base = JSON.parse(vectors[1].envelope) as Record<string, string>;
const ct = Buffer.from(base.ct, 'base64url');
ct[0] ^= 1;
const mustFail = [
  {
    name: 'rsa-2048/altered-ciphertext',
    key: 'rsa-2048',
    envelope: JSON.stringify({ ...base, ct: ct.toString('base64url') }),
  },
  { name: 'rsa-2048/sealed-for-another-key', key: 'ec-p256', envelope: vectors[1].envelope },
];

const file = {
  description:
    'Test vectors for the argosctl secure-transmission envelope, version 1 (docs/secure-transmission.md). ' +
    'The private keys are throwaway keys made for this file only: never use them.',
  keys,
  vectors,
  mustFail,
};
writeFileSync(
  new URL('../docs/secure-transmission-vectors.json', import.meta.url),
  JSON.stringify(file, null, 2) + '\n',
);
