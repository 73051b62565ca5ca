// Webhook URLs: https anywhere, plain http only to loopback; credentials, other schemes, lenient
// spellings and hidden characters are refused at validate, with file, line, column and path.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifests } from '../../src/validate/read-manifests.js';
import { checkWebhookUrl } from '../../src/webhooks/webhook-url.js';
import { tempDir } from '../helpers/cli.js';

const ACCEPTED = [
  'https://hooks.bank.example/argos',
  'https://h.example:8443/x?project=1',
  'http://127.0.0.1:8080/hook',
  'http://localhost/hook',
  'http://[::1]:9000/',
];
const REFUSED: [string, RegExp][] = [
  ['http://hooks.bank.example/argos', /plain http is allowed only to a loopback address, not to hooks\.bank\.example/],
  ['http://127.0.0.2/hook', /only to a loopback address/],
  ['http://localhost.evil.example/', /only to a loopback address/],
  ['https://user:secret@hooks.bank.example/', /holds credentials/],
  ['http://127.0.0.1@evil.example/', /holds credentials/],
  ['https://token@hooks.bank.example/', /holds credentials/],
  ['ftp://hooks.bank.example/', /uses ftp, not https/],
  ['javascript:alert(1)', /not written as scheme:\/\/host\/path/],
  ['https:hooks.bank.example', /not written as scheme:\/\/host\/path/],
  ['https://hooks.bank.example\\@evil.example/', /not written as scheme:\/\/host\/path/],
  ['https://hooks.bank.example/\targos', /spaces or control characters/],
  ['https://hooks.bank.example/a\u001b[31m', /spaces or control characters/],
  [' https://hooks.bank.example/', /spaces or control characters/],
  ['https://hooks.bank.example/#frag', /#fragment/],
  ['hooks.bank.example/argos', /not a valid absolute URL/],
  ['https://', /not a valid absolute URL/],
];

describe('checkWebhookUrl', () => {
  it.each(ACCEPTED)('accepts %s', (url) => expect(checkWebhookUrl(url).ok).toBe(true));
  it.each(REFUSED)('refuses %j', (url, message) => {
    const r = checkWebhookUrl(url);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(message);
  });
});

describe('validate refuses hostile webhook URLs where they are written', () => {
  it('each bad URL is reported at its file:line:column with the path and what is allowed; no project is accepted', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'projects'));
    const bad = [
      'http://hooks.bank.example/argos',
      'https://user:secret@hooks.bank.example/',
      'ftp://hooks.bank.example/',
    ];
    bad.forEach((url, i) =>
      writeFileSync(
        path.join(dir, 'projects', `p${i}.yaml`),
        `apiVersion: argosctl/v1\nkind: Project\nmetadata:\n  id: p${i}\n  name: p${i}\nspec:\n  status: TEST\n  authMethods:\n    idDocument: { enabled: true }\n` +
          `  webhook:\n    events: [token_expired]\n    url: "${url}"\n`,
      ),
    );
    const set = await readManifests(path.join(dir, 'projects'));
    expect(set.projects).toHaveLength(0);
    const found = set.diagnostics.map((d) => ({
      file: path.basename(d.file),
      line: d.line,
      column: d.column,
      rule: d.rule,
      path: d.path,
    }));
    expect(found).toEqual(
      bad.map((_, i) => ({ file: `p${i}.yaml`, line: 12, column: 10, rule: 'webhook.url', path: 'spec.webhook.url' })),
    );
    expect(set.diagnostics.every((d) => /https:\/\//.test(d.allowed ?? ''))).toBe(true);
    // the credentials are named as a problem but never echoed
    expect(JSON.stringify(set.diagnostics)).not.toContain('secret@');
  });
});
