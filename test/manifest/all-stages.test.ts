// validate reports every problem at once across stages: a schema problem in one field does not hide a
// semantic problem in another, and a rule never sees a value whose type the schema rejected.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { readManifests } from '../../src/validate/read-manifests.js';
import { tempDir } from '../helpers/cli.js';
import { depth } from '../helpers/deep.js';

const FIXTURES = 'test/fixtures/invalid';
const at = (d: { file: string; line: number; column: number; rule: string }) =>
  `${path.basename(d.file)}:${d.line}:${d.column} ${d.rule}`;

describe('schema problems and semantic rules are reported together', () => {
  it('a misspelt status, a CIDR with host bits and a bad admin email give three diagnostics', async () => {
    const set = await readManifests(path.join(FIXTURES, 'all-stages'));
    expect(set.diagnostics.map(at)).toEqual([
      'p.yaml:7:11 schema.enum',
      'p.yaml:13:13 ip.host-bits',
      'p.yaml:15:14 admin.email',
    ]);
    expect(set.diagnostics[0].allowed).toMatch(/OPEN/);
    expect(set.diagnostics[1].path).toBe('spec.security.ipWhitelist.api[0]');
    expect(set.diagnostics[2].message).toMatch(/"not-an-email" is not an email address/);
    expect(set.projects).toEqual([]);
  });

  it('schema errors in the very fields a rule reads give the schema errors only, without a crash', async () => {
    const set = await readManifests(path.join(FIXTURES, 'schema-error-in-rule-input'));
    expect(set.diagnostics.map(at)).toEqual([
      'p.yaml:13:12 schema.type',
      'p.yaml:14:53 schema.type',
      'p.yaml:16:14 schema.type',
    ]);
    expect(set.diagnostics.map((d) => d.path)).toEqual([
      'spec.security.ipWhitelist.api',
      'spec.security.secureTransmission.publicKey',
      'spec.admins[0].email',
    ]);
    expect(set.projects).toEqual([]);
  });

  it('a policy rule broken by a project that reads keeps the project and gives its error (global-platform, OPEN without admins)', async () => {
    const dir = tempDir();
    cpSync(path.join('examples', 'global-platform'), dir, { recursive: true });
    const file = path.join(dir, 'projects/globex-eu.yaml');
    const doc = parseAllDocuments(readFileSync(file, 'utf8'))[0].toJS() as { spec: { admins: unknown } };
    doc.spec.admins = [];
    writeFileSync(file, stringify(doc));
    const set = await readManifests(dir);
    const errors = set.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.rule)).toEqual(['policy.open-admins']);
    expect(set.projects.map((p) => p.settings.id)).toContain('globex-eu');
  });

  // examples/bank has a public key file; global-platform's argosctl.yaml has regions with managers and require rules.
  for (const [example, name] of [
    ['bank', 'kbank-onboarding.yaml'],
    ['global-platform', 'projects/globex-eu.yaml'],
  ]) {
    it(`random wrong types in random fields of examples/${example} never make reading throw`, async () => {
      const dir = tempDir();
      cpSync(path.join('examples', example), dir, { recursive: true });
      const file = path.join(dir, name);
      const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as unknown);
      const paths: (string | number)[][] = [];
      const walk = (node: unknown, at: (string | number)[]) => {
        if (at.length) paths.push(at);
        if (node && typeof node === 'object')
          for (const [k, v] of Object.entries(node)) walk(v, [...at, Array.isArray(node) ? Number(k) : k]);
      };
      walk(docs[0], []);
      const wrong = fc.oneof(
        fc.string({ maxLength: 8 }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.constantFrom(...paths), wrong), { minLength: 1, maxLength: 3 }),
          async (edits) => {
            const doc = structuredClone(docs[0]) as Record<string | number, unknown>;
            for (const [where, value] of edits) {
              let node = doc;
              for (const seg of where.slice(0, -1))
                node = (node?.[seg] ?? undefined) as Record<string | number, unknown>;
              if (node && typeof node === 'object') node[where[where.length - 1]] = value;
            }
            writeFileSync(file, stringify(doc));
            const set = await readManifests(dir);
            for (const d of set.diagnostics) expect(d.line).toBeGreaterThan(0);
            const mine = (f: string) => f.endsWith(path.basename(name));
            // A manifest that does not read is dropped; a policy rule judges a project that did read,
            // and keeps it (plan refuses on the error; `policy test` still shows what the rule touched).
            const unread = (d: (typeof set.diagnostics)[number]) =>
              d.severity === 'error' && mine(d.file) && !d.rule.startsWith('policy.');
            if (set.diagnostics.some(unread)) expect(set.projects.filter((p) => mine(p.file))).toEqual([]);
          },
        ),
        { numRuns: depth(150, 30) },
      );
    });
  }
});
