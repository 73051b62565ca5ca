// A file skipped as unchanged (validate cache, or the database's applied sources) must not hide the
// case-insensitive duplicate-id rule: the cached run reports what --no-cache reports.
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

describe('skip unchanged vs. ids differing only in case', () => {
  it('a new file declaring KBANK-PROD next to a cached kbank-prod is refused, as with --no-cache', async () => {
    const cwd = tempDir();
    const cache = path.join(tempDir(), 'cache');
    cpSync(path.join(ROOT, 'examples/bank'), path.join(cwd, 'projects'), { recursive: true });
    const validate = (...args: string[]) =>
      runCliInProcess(['validate', ...args], { cwd, env: { XDG_CACHE_HOME: cache } });
    expect((await validate()).code).toBe(0); // caches the bank files
    writeFileSync(
      path.join(cwd, 'projects/shadow.yaml'),
      `apiVersion: argosctl/v2
kind: Project
metadata: { id: KBANK-PROD, name: Shadow }
spec:
  status: TEST
  authMethods: { idDocument: { enabled: true } }
  encryption: { methods: [GCM] }
`,
    );
    const uncached = await validate('--no-cache');
    expect(uncached.code).toBe(1);
    expect(uncached.stderr).toMatch(/project\.duplicate-id/);
    const cached = await validate();
    expect(cached.code).toBe(1);
    expect(cached.stderr).toMatch(/project\.duplicate-id/);
  });
});
