// Positions for plan changes: a setting's line, and the line of one item of a list, matched the
// way the planner normalizes it (CIDR /32, lower-case email, key name).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifests } from '../../src/validate/read-manifests.js';
import { tempDir } from '../helpers/cli.js';

describe('DesiredProject.lineOf', () => {
  it('finds settings and list items by their normalized member key', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'p.yaml'),
      [
        'apiVersion: argosctl/v1',
        'kind: Project',
        'metadata:',
        '  id: lines',
        '  name: Lines',
        'spec:',
        '  status: TEST',
        '  authMethods:',
        '    idDocument:',
        '      enabled: true',
        '  security:',
        '    ipWhitelist:',
        '      api:',
        '        - 198.51.100.0/24',
        '        - 203.0.113.7',
        '  admins:',
        '    - email: First@Bank.example',
        '    - email: second@bank.example',
        '  encryption: { method: GCM }',
        '',
      ].join('\n'),
    );
    const set = await readManifests(dir);
    expect(set.diagnostics).toEqual([]);
    const [p] = set.projects;
    expect(p.line).toBe(4);
    expect(p.lineOf('spec.status')).toBe(7);
    expect(p.lineOf('spec.security.ipWhitelist.api', '203.0.113.7/32')).toBe(15);
    expect(p.lineOf('spec.admins', 'first@bank.example')).toBe(17);
    expect(p.lineOf('spec.admins', 'gone@bank.example')).toBe(17); // not in the manifest: where the list starts
  });
});
