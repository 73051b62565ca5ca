// The pure part of export: file names only from ids that fit the grammar, no private material,
// durations as people write them, defaults marked.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exportFiles } from '../../src/export/export-files.js';
import { humanDuration } from '../../src/export/manifest-of.js';
import { project } from '../helpers/builders.js';

describe('export files', () => {
  it('writes durations in the units people write', () => {
    expect([60, 600, 3600, 5400, 86400, 172800, 604800, 90061].map(humanDuration)).toEqual([
      '1m',
      '10m',
      '1h',
      '1h30m',
      '24h',
      '2d',
      '7d',
      '1d1h1m1s',
    ]);
  });

  it('refuses ids that do not fit the manifest id grammar, so no file name comes from hostile text', () => {
    for (const id of [
      '../etc/passwd',
      'a/b',
      '.hidden',
      'x'.repeat(64),
      'new\nline',
      'pid%2F',
      'k\u0430bank',
      'nul\0',
      'trailing-',
    ]) {
      const { files, problems } = exportFiles([project(id)], 's.json');
      expect(files).toEqual([]);
      expect(problems).toEqual([{ projectId: id, message: expect.stringMatching(/id grammar/) }]);
    }
    expect(exportFiles([project('ok-1'), project('KBank_Prod7')], 's.json').files.map((f) => f.rel)).toEqual([
      'KBank_Prod7.yaml',
      'ok-1.yaml',
    ]);
  });

  it('never writes private key material found in the public-key column', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const priv = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const bad = exportFiles([project('p', { secureTransmission: true, secureTransmissionPublicKey: priv })], 's.json');
    expect(bad.files).toEqual([]);
    expect(bad.problems[0].message).toMatch(/not a PEM public key/);
    const pub = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const good = exportFiles([project('p', { secureTransmission: true, secureTransmissionPublicKey: pub })], 's.json');
    expect(good.files.map((f) => f.rel)).toEqual(['keys/p.pub.pem', 'p.yaml']);
    expect(good.files[0].text).toBe(pub.trim() + '\n');
  });

  it('marks values written only to be explicit as defaults, and orders projects by id', () => {
    const { files } = exportFiles([project('b'), project('a', { privateMode: true })], 'schema.json');
    expect(files.map((f) => f.rel)).toEqual(['a.yaml', 'b.yaml']);
    expect(files[0].text).toMatch(/^# yaml-language-server: \$schema=schema\.json\n/);
    expect(files[0].text).toMatch(/submissions: normal # default\n/);
    expect(files[0].text).toMatch(/privateMode: true\n/);
    expect(files[1].text).toMatch(/privateMode: false # default\n/);
  });
});
