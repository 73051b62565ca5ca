// The one project id grammar: the schemas of every manifest version carry exactly it, and the
// accepted and refused cases are the same in the module and in the manifest schema (the database
// and the Token API path are covered in test/db/state.test.ts and test/server/token-api.test.ts).
import { describe, expect, it } from 'vitest';
import { PROJECT_ID_PATTERN, isProjectId } from '../../src/model/project-id.js';
import { compileValidators, projectValidator, readSchema } from '../../src/manifest/schemas.js';
import { VERSIONS, schemaFileOf } from '../../src/manifest/versions/registry.js';

const ACCEPTED = ['kbank-onboarding', 'KBank_Prod7', 'a', 'Z9', 'p1_x-y', 'x'.repeat(63), 'AbCdEf123'];
const REFUSED = [
  '',
  '..',
  '../etc',
  'a/b',
  'a%2Fb',
  'a b',
  '-a',
  'a-',
  '_a',
  'a_',
  'x'.repeat(64),
  'k\u0430bank',
  'caf\u00e9',
  'nul\u0000',
  'line\nbreak',
  'a.b',
  'ａｂｃ',
  '\u200bzero-width',
];

describe('project id grammar', () => {
  it("every manifest version's schema uses the grammar of src/model/project-id.ts", () => {
    for (const version of VERSIONS) {
      const id = (
        readSchema(schemaFileOf(version)) as { definitions: { Metadata: { properties: { id: { pattern: string } } } } }
      ).definitions.Metadata.properties.id;
      expect(id.pattern, version).toBe(PROJECT_ID_PATTERN);
    }
  });

  it('accepts ids as ARGOS issues them and refuses traversal, encoding, look-alikes and control characters, in the module and the schema', async () => {
    const validate = projectValidator(await compileValidators(), 'argosctl/v2');
    const schemaAccepts = (id: string) =>
      validate({ apiVersion: 'argosctl/v2', kind: 'Project', metadata: { id, name: 'n' }, spec: { status: 'TEST' } });
    for (const id of ACCEPTED)
      expect({ id, module: isProjectId(id), schema: schemaAccepts(id) }).toEqual({ id, module: true, schema: true });
    for (const id of REFUSED)
      expect({ id, module: isProjectId(id), schema: schemaAccepts(id) }).toEqual({ id, module: false, schema: false });
  });
});
