// Two common editor mistakes get one clear problem each, not a cascade: tabs used for indentation,
// and a file saved as UTF-16 (with or without a byte order mark).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifests } from '../../src/validate/read-manifests.js';
import { tempDir } from '../helpers/cli.js';

const MANIFEST = 'apiVersion: argosctl/v1\nkind: Project\nmetadata:\n  id: tabbed\n  name: x\nspec:\n  status: TEST\n';

function utf16(text: string, order: 'le' | 'be', bom: boolean): Buffer {
  const le = Buffer.from(text, 'utf16le');
  const bytes = order === 'le' ? le : Buffer.from(le.map((_, i) => le[i ^ 1]));
  const mark = order === 'le' ? [0xff, 0xfe] : [0xfe, 0xff];
  return bom ? Buffer.concat([Buffer.from(mark), bytes]) : bytes;
}

describe('tab indentation and UTF-16', () => {
  it('tabs for indentation: one problem at the first tab naming every line, nothing else from that document', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'p.yaml'), MANIFEST.replace(/\n {2}/g, '\n\t'));
    const set = await readManifests(dir);
    expect(set.diagnostics).toHaveLength(1);
    expect(set.diagnostics[0]).toMatchObject({
      rule: 'yaml.tab-indent',
      file: expect.stringMatching(/p\.yaml$/),
      line: 4,
      column: 1,
      message: 'tabs used for indentation on lines 4, 5, 7',
      allowed: expect.stringMatching(/spaces/),
    });
  });

  it('another file next to it is still checked on its own', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.yaml'), MANIFEST.replace(/\n {2}/g, '\n\t'));
    writeFileSync(path.join(dir, 'b.yaml'), MANIFEST.replace('tabbed', 'fine').replace('TEST', 'LIVE'));
    const set = await readManifests(dir);
    expect(set.diagnostics.map((d) => d.rule)).toEqual(['yaml.tab-indent', 'schema.enum']);
  });

  for (const [order, bom] of [
    ['le', true],
    ['be', true],
    ['le', false],
    ['be', false],
  ] as const) {
    it(`UTF-16 ${order.toUpperCase()} ${bom ? 'with' : 'without'} a byte order mark: one problem saying so`, async () => {
      const dir = tempDir();
      writeFileSync(path.join(dir, 'p.yaml'), utf16(MANIFEST, order, bom));
      const set = await readManifests(dir);
      expect(set.diagnostics).toEqual([
        expect.objectContaining({
          rule: 'files.encoding',
          line: 1,
          column: 1,
          message: 'file is UTF-16 encoded',
          allowed: 'UTF-8 text: save the file as UTF-8',
        }),
      ]);
    });
  }
});
