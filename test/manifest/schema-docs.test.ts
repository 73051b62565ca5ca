// The published schemas document every property (editors show these texts), and every example
// and default they give is itself valid, so users can copy them.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { ANNOTATION_KEYWORDS, readSchema } from '../../src/manifest/schemas.js';
import { schemaProperties } from '../../src/manifest/schema-properties.js';
import { DEFAULT_ENCRYPTION_METHODS } from '../../src/manifest/check/normalize.js';

type Node = Record<string, unknown>;

/** Walks the raw schema (no $ref following) and returns each property entry with its location. */
function propertyEntries(node: unknown, where: string, out: { where: string; entry: Node }[] = []) {
  if (!node || typeof node !== 'object') return out;
  for (const [key, value] of Object.entries(node as Node)) {
    if (key === 'properties' && value && typeof value === 'object') {
      for (const [name, entry] of Object.entries(value as Node)) {
        out.push({ where: `${where}.${name}`, entry: entry as Node });
        propertyEntries(entry, `${where}.${name}`, out);
      }
    } else if (key !== 'examples' && key !== 'default') {
      propertyEntries(value, `${where}/${key}`, out);
    }
  }
  return out;
}

for (const name of ['project.v1.json', 'project.v2.json', 'config.v1.json'] as const) {
  describe(`schemas/${name}`, () => {
    const root = readSchema(name);

    it('every property has a description and at least one example', () => {
      const entries = propertyEntries(root, '#');
      expect(entries.length).toBeGreaterThan(name.startsWith('project') ? 80 : 8);
      const missing = entries
        .filter(
          ({ entry }) =>
            typeof entry.description !== 'string' ||
            !entry.description.trim() ||
            !Array.isArray(entry.examples) ||
            entry.examples.length === 0,
        )
        .map(({ where }) => where);
      expect(missing).toEqual([]);
    });

    it('every example and default is valid for its property', () => {
      const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
      for (const keyword of ANNOTATION_KEYWORDS) ajv.addKeyword({ keyword, schemaType: 'string' });
      const invalid: string[] = [];
      for (const { where, entry } of propertyEntries(root, '#')) {
        const validate = ajv.compile({ ...entry, definitions: root.definitions ?? {} });
        const values = [...((entry.examples as unknown[]) ?? []), ...('default' in entry ? [entry.default] : [])];
        for (const value of values)
          if (!validate(value)) invalid.push(`${where}: ${JSON.stringify(value)} ${ajv.errorsText(validate.errors)}`);
      }
      expect(invalid).toEqual([]);
    });

    it('the flat property list (argosctl schema --format text) has a description for every path', () => {
      const rows = schemaProperties(root);
      expect(rows.filter((r) => !r.description).map((r) => r.path)).toEqual([]);
      expect(rows.map((r) => r.path)).toContain(
        name.startsWith('project') ? 'spec.encryption.keys[].status' : 'regions.<name>.managers',
      );
    });
  });
}

describe('defaults written in the schema', () => {
  it('match what the normaliser assumes for an absent setting', () => {
    const rows = new Map(schemaProperties(readSchema('project.v1.json')).map((r) => [r.path, r]));
    const expected: Record<string, unknown> = {
      'spec.submissions': 'normal',
      'spec.liveform.privateMode': false,
      'spec.liveform.tokens.preRegistration': false,
      'spec.liveform.tokens.deletion.onExpiration': false,
      'spec.liveform.tokens.deletion.byVolume.priority': 'oldest-first',
      'spec.encryption.encryptedOnly': false,
      'spec.encryption.keys': [],
      'spec.security.privacyProtection': false,
      'spec.security.ipWhitelist.dashboard': [],
      'spec.security.ipWhitelist.api': [],
      'spec.admins': [],
      'metadata.labels': {},
    };
    for (const [path, value] of Object.entries(expected)) expect(rows.get(path)?.default, path).toEqual(value);
  });

  it('v2: methods default to both, as the normaliser assumes', () => {
    const rows = new Map(schemaProperties(readSchema('project.v2.json')).map((r) => [r.path, r]));
    expect([...((rows.get('spec.encryption.methods')?.default ?? []) as string[])].sort()).toEqual([
      ...DEFAULT_ENCRYPTION_METHODS,
    ]);
    expect(rows.get('spec.admins[].role')?.required).toBe(true);
  });
});
