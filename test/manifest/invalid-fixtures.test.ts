// One fixture folder per class of bad input: each must be rejected with the right rule at the
// right file:line, and nothing else may be reported as valid.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifests } from '../../src/validate/read-manifests.js';
import { tempDir } from '../helpers/cli.js';

const FIXTURES = 'test/fixtures/invalid';

const cases: {
  dir: string;
  rule: string;
  file: string;
  line: number;
  message: RegExp;
  allowed?: RegExp;
  accepted?: number;
}[] = [
  { dir: 'not-yaml', rule: 'yaml.syntax', file: 'p.yaml', line: 6, message: /not valid YAML/ },
  { dir: 'duplicate-key', rule: 'yaml.duplicate-key', file: 'p.yaml', line: 8, message: /duplicate key/ },
  {
    dir: 'wrong-type',
    rule: 'schema.type',
    file: 'p.yaml',
    line: 12,
    message: /wrong type: string "yes"/,
    allowed: /boolean/,
  },
  {
    dir: 'unknown-field',
    rule: 'schema.unknown-field',
    file: 'p.yaml',
    line: 12,
    message: /unknown field "privateMod"/,
    allowed: /privateMode, tokens/,
  },
  {
    dir: 'unknown-api-version',
    rule: 'schema.const',
    file: 'p.yaml',
    line: 1,
    message: /unknown apiVersion "argosctl\/v9"/,
    allowed: /argosctl\/v2 .*argosctl\/v1/,
  },
  {
    dir: 'unknown-kind',
    rule: 'schema.const',
    file: 'p.yaml',
    line: 2,
    message: /unknown kind "Projekt"/,
    allowed: /Project/,
  },
  {
    dir: 'duplicate-id-one-file',
    rule: 'project.duplicate-id',
    file: 'p.yaml',
    line: 15,
    message: /already declared at .*p\.yaml:4/,
    accepted: 1,
  },
  {
    dir: 'duplicate-id-two-files',
    rule: 'project.duplicate-id',
    file: 'b.yaml',
    line: 4,
    message: /already declared at .*a\.yaml:4/,
    accepted: 1,
  },
  {
    dir: 'bad-id',
    rule: 'schema.pattern',
    file: 'p.yaml',
    line: 4,
    message: /\.\.\/kbank-onboarding/,
    allowed: /letters, digits, '-' and '_'/,
  },
  {
    dir: 'invalid-ipv4',
    rule: 'ip.invalid',
    file: 'p.yaml',
    line: 13,
    message: /10\.0\.0\.256/,
    allowed: /IPv4 address/,
  },
  {
    dir: 'cidr-host-bits',
    rule: 'ip.host-bits',
    file: 'p.yaml',
    line: 13,
    message: /host bits set/,
    allowed: /CIDR range/,
  },
  { dir: 'ipv6', rule: 'ip.ipv6', file: 'p.yaml', line: 13, message: /IPv6 address; whitelists take IPv4 only/ },
  { dir: 'invalid-email', rule: 'admin.email', file: 'p.yaml', line: 12, message: /not-an-email/ },
  { dir: 'duplicate-email', rule: 'admin.duplicate', file: 'p.yaml', line: 13, message: /listed twice/ },
  {
    dir: 'percentage-out-of-range',
    rule: 'schema.range',
    file: 'p.yaml',
    line: 15,
    message: /120 is out of range/,
    allowed: /1 to 100/,
  },
  {
    dir: 'bad-duration',
    rule: 'schema.pattern',
    file: 'p.yaml',
    line: 14,
    message: /24hours/,
    allowed: /duration such as/,
  },
  { dir: 'alias-bomb', rule: 'yaml.alias-bomb', file: 'p.yaml', line: 1, message: /aliases expand too far/ },
  { dir: 'empty-file', rule: 'files.empty', file: 'p.yaml', line: 1, message: /no YAML document/ },
  {
    dir: 'id-document-only-option',
    rule: 'schema.id-document-only',
    file: 'p.yaml',
    line: 12,
    message: /"mrzCheck" applies only to ID document/,
  },
  {
    dir: 'no-auth-method',
    rule: 'auth.none-enabled',
    file: 'p.yaml',
    line: 9,
    message: /no authentication method is enabled/,
  },
  {
    dir: 'expiration-without-pre-registration',
    rule: 'tokens.needs-pre-registration',
    file: 'p.yaml',
    line: 13,
    message: /pre-registration is off/,
  },
  {
    dir: 'encrypted-only-without-key',
    rule: 'encryption.needs-active-key',
    file: 'p.yaml',
    line: 12,
    message: /needs an active encryption key/,
  },
  {
    dir: 'private-key',
    rule: 'secure-transmission.private-key',
    file: 'p.yaml',
    line: 12,
    message: /holds a PRIVATE key/,
  },
  {
    dir: 'region-rules',
    rule: 'region.require',
    file: 'p.yaml',
    line: 8,
    message: /requires spec\.security\.privacyProtection: true \(rule regions\.eu\.require/,
  },
  { dir: 'region-rules', rule: 'region.manager', file: 'p.yaml', line: 13, message: /not a manager of region "eu"/ },
  {
    dir: 'webhook-url',
    rule: 'webhook.url',
    file: 'p.yaml',
    line: 12,
    message: /plain http is allowed only to a loopback address/,
    allowed: /https:\/\//,
  },
];

describe('invalid manifests are rejected with file, line, column, path and what is allowed', () => {
  for (const c of cases) {
    it(`${c.dir}: ${c.rule}`, async () => {
      const set = await readManifests(path.join(FIXTURES, c.dir));
      const match = set.diagnostics.find(
        (d) => d.rule === c.rule && d.file.endsWith(path.join(c.dir, c.file)) && d.line === c.line,
      );
      expect(match, JSON.stringify(set.diagnostics, null, 2)).toBeDefined();
      expect(match!.message).toMatch(c.message);
      expect(match!.column).toBeGreaterThan(0);
      expect(match!.path).not.toBe('');
      if (c.allowed) expect(match!.allowed).toMatch(c.allowed);
      expect(set.projects).toHaveLength(c.accepted ?? 0);
    });
  }

  it('unknown fields come with a "did you mean" hint', async () => {
    const set = await readManifests(path.join(FIXTURES, 'unknown-field'));
    expect(set.diagnostics[0].hint).toBe('did you mean "privateMode"?');
  });

  it('a CIDR with host bits suggests the network address', async () => {
    const set = await readManifests(path.join(FIXTURES, 'cidr-host-bits'));
    expect(set.diagnostics[0].hint).toBe('did you mean 10.0.0.0/8?');
  });

  it('a file over 1 MiB is refused without being parsed', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'big.yaml'), `# ${'x'.repeat(1024 * 1024)}\n`);
    const set = await readManifests(dir);
    expect(set.diagnostics).toMatchObject([{ rule: 'files.too-large', line: 1 }]);
    expect(set.diagnostics[0].allowed).toMatch(/1 MiB/);
  });

  it('non-UTF-8 bytes are refused with the position of the first bad byte', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'p.yaml'),
      Buffer.concat([
        Buffer.from('apiVersion: argosctl/v1\nkind: Project\nmetadata:\n  name: Caf'),
        Buffer.from([0xe9]),
        Buffer.from('\n'),
      ]),
    );
    const set = await readManifests(dir);
    expect(set.diagnostics).toMatchObject([{ rule: 'files.encoding', line: 4, column: 12 }]);
  });

  it('reports every problem of every document at once', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'a.yaml'),
      [
        'apiVersion: argosctl/v1',
        'kind: Project',
        'metadata: { id: one, name: One }',
        'spec:',
        '  status: LIVE',
        '  submissions: paused',
        '  liveform: { privateMode: 1 }',
        '---',
        'apiVersion: argosctl/v1',
        'kind: Project',
        'metadata: { id: two, name: Two }',
        'spec:',
        '  status: TEST',
        '  authMethods: { idDocument: { enabled: true } }',
        '  security: { ipWhitelist: { api: [10.0.0.1/8, "::1"] } }',
        '',
      ].join('\n'),
    );
    const set = await readManifests(dir);
    expect(set.diagnostics.map((d) => `${d.line}:${d.rule}`)).toEqual([
      '5:schema.enum',
      '6:schema.enum',
      '7:schema.type',
      '15:ip.host-bits',
      '15:ip.ipv6',
    ]);
  });
});
