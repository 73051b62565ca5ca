// The parser's errors point at the line to fix: a key indented apart from its siblings is one
// problem there (not one per sibling), a duplicate key is named with the line it first appeared on,
// and the parser's own words are not cut mid-word. What comes from the file stays short and escaped.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifests } from '../../src/validate/read-manifests.js';
import { tempDir } from '../helpers/cli.js';

const MANIFEST = `apiVersion: argosctl/v2
kind: Project
metadata:
  id: indented # a comment
  name: x
spec:
  status: TEST
  submissions: normal

  liveform:
    privateMode: true
    tokens: { preRegistration: true }
`;

async function problems(text: string) {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'p.yaml'), text);
  return (await readManifests(dir)).diagnostics;
}

describe('YAML problems at the line to fix', () => {
  it('a first key indented further than its siblings: one problem at that key, naming the siblings', async () => {
    const found = await problems(MANIFEST.replace('  status: TEST', '   status: TEST'));
    expect(found).toEqual([
      expect.objectContaining({
        rule: 'yaml.indent',
        line: 7,
        column: 4,
        message: 'this key starts at column 4, but the other keys of its mapping start at column 3 (lines 8, 10)',
        allowed: expect.stringMatching(/same column/),
      }),
    ]);
  });

  it('a later key out of line with the first: one problem at it, naming the first', async () => {
    const found = await problems(MANIFEST.replace('    privateMode: true', '      privateMode: true'));
    expect(found).toEqual([
      expect.objectContaining({
        rule: 'yaml.indent',
        line: 12,
        column: 5,
        message: 'this key starts at column 5, but the first key of its mapping (line 11) starts at column 7',
      }),
    ]);
  });

  it('a duplicate key is named, with the line it first appeared on', async () => {
    const found = await problems(MANIFEST.replace('  submissions: normal', '  submissions: normal\n  status: OPEN'));
    expect(found).toEqual([
      expect.objectContaining({
        rule: 'yaml.duplicate-key',
        line: 9,
        column: 3,
        message: 'duplicate key "status": already set on line 7',
        allowed: 'each key once; merge the two entries',
      }),
    ]);
  });

  it('a hostile duplicate key is shown short and escaped', async () => {
    const key = `"\\e[31m${'k'.repeat(500)}\\u202e"`;
    const found = await problems(`${MANIFEST}  ${key}: 1\n  ${key}: 2\n`);
    expect(found).toHaveLength(1);
    const message = found[0].message;
    expect(message).toMatch(/^duplicate key "\\u001b\[31mk+…": already set on line 13$/);
    expect(message.length).toBeLessThan(90);
  });

  it("the parser's words are kept whole", async () => {
    const found = await problems('spec: [\n');
    expect(found[0].message).toBe(
      'not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
  });
});
