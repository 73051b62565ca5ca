// A project's lint ignores on the skip path (issue 21): apply and validate's cache record them with
// the warnings the check found after the ignores silenced theirs. An unchanged file is skipped and
// its ignored rule stays silent, exactly as on the full path; a record whose warnings name a rule
// it also records as ignored was not written by that check (a hand-edited row, a damaged cache), so
// the file is checked again rather than shown with a warning it silences.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { applyRecording, samePlan } from '../helpers/skip-path.js';

const NOW = new Date('2026-12-05T08:00:00Z');

// OPEN without an API whitelist (lint.open-empty-api-whitelist) and ECB accepted (lint.ecb); the
// first is ignored with a reason.
const IGNORING = `apiVersion: argosctl/v1
kind: Project
metadata: { id: partner-open, name: Partner }
spec:
  status: OPEN
  authMethods: { idDocument: { enabled: true } }
  encryption: { method: ECB }
  admins: [{ email: ops@example.com }]
lint:
  ignore:
    - { rule: lint.open-empty-api-whitelist, reason: "the partner calls from changing addresses" }
`;

const CLEAN = `apiVersion: argosctl/v1
kind: Project
metadata: { id: plain-test, name: Plain }
spec:
  status: TEST
  authMethods: { idDocument: { enabled: true } }
  encryption: { method: GCM }
`;

function manifestFolder(): string {
  const dir = path.join(tempDir(), 'projects');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'partner-open.yaml'), IGNORING);
  writeFileSync(path.join(dir, 'plain-test.yaml'), CLEAN);
  return dir;
}

const rulesOf = (diagnostics: readonly { rule: string }[]) => diagnostics.map((d) => d.rule);

/** The skip path's plan, after checking it is the full path's (test/helpers/skip-path.ts). */
const fastEqualsFull = (database: Database, dir: string, only?: string[]) =>
  samePlan(database, dir, { now: NOW, only });

describe.each(DATABASE_TARGETS)('lint ignores on the skip path ($name)', (target) => {
  const fresh = useFreshDatabase(target);
  let dir: string;

  beforeEach(async () => {
    await sql`truncate projects cascade`.execute(fresh.database.db);
    dir = manifestFolder();
    await applyRecording(fresh.database, dir, NOW);
  });

  it.skipIf(!target.available)('apply records the ignored rule beside the warnings left', async () => {
    const row = await sql<{
      findings: unknown;
    }>`select manifest_findings as findings from projects where id = 'partner-open'`.execute(fresh.database.db);
    expect(row.rows[0].findings).toEqual({
      warnings: [expect.objectContaining({ rule: 'lint.ecb' })],
      lintIgnores: ['lint.open-empty-api-whitelist'],
    });
  });

  it.skipIf(!target.available)(
    'an unchanged file that ignores a rule is skipped; the ignored rule stays silent, the other warning is shown',
    async () => {
      const { skipped, diagnostics, plan } = await fastEqualsFull(fresh.database, dir);
      expect(skipped).toEqual(['partner-open', 'plain-test']);
      expect(rulesOf(diagnostics)).toEqual(['lint.ecb']);
      expect(plan.changes).toEqual([]);
    },
  );

  it.skipIf(!target.available)(
    'with --project, a skipped project keeps its recorded warnings in the plan, as on the full path',
    async () => {
      const { skipped, plan } = await fastEqualsFull(fresh.database, dir, ['partner-open']);
      expect(skipped).toEqual(['partner-open', 'plain-test']);
      expect(rulesOf(plan.warnings ?? [])).toEqual(['lint.ecb']);
      expect(rulesOf((await fastEqualsFull(fresh.database, dir, ['plain-test'])).plan.warnings ?? [])).toEqual([]);
    },
  );

  it.skipIf(!target.available)(
    'a record whose warnings name a rule it ignores is not trusted: the file is checked again',
    async () => {
      const forged = {
        warnings: [
          { rule: 'lint.open-empty-api-whitelist', line: 5, column: 11, path: 'spec.status', message: 'forged' },
        ],
        lintIgnores: ['lint.open-empty-api-whitelist'],
      };
      await sql`update projects set manifest_findings = ${JSON.stringify(forged)}::jsonb where id = 'partner-open'`.execute(
        fresh.database.db,
      );
      const { skipped, diagnostics } = await fastEqualsFull(fresh.database, dir);
      expect(skipped).toEqual(['plain-test']);
      expect(rulesOf(diagnostics)).toEqual(['lint.ecb']);
      expect(diagnostics.map((d) => d.message).join('\n')).not.toMatch(/forged/);
    },
  );

  it.skipIf(!target.available)(
    'removing the ignore changes the file: it is read again and the warning returns',
    async () => {
      writeFileSync(path.join(dir, 'partner-open.yaml'), IGNORING.replace(/lint:\n[\s\S]*$/, ''));
      const { skipped, diagnostics } = await fastEqualsFull(fresh.database, dir);
      expect(skipped).toEqual(['plain-test']);
      expect(rulesOf(diagnostics).sort()).toEqual(['lint.ecb', 'lint.open-empty-api-whitelist']);
    },
  );
});

describe("lint ignores in validate's cache", () => {
  let cwd: string;
  let cache: string;
  const validate = (...args: string[]) =>
    runCliInProcess(['validate', ...args], { cwd, env: { XDG_CACHE_HOME: cache } });
  const cacheFile = () => {
    const folder = path.join(cache, 'argosctl');
    return existsSync(folder) ? path.join(folder, readdirSync(folder)[0]) : '';
  };

  beforeEach(() => {
    cwd = path.dirname(manifestFolder());
    cache = path.join(tempDir(), 'cache');
  });

  it('are recorded, and the skipped file reads exactly as with --no-cache (the ignored rule silent)', async () => {
    const uncached = await validate('--no-cache');
    expect(uncached.stderr).toMatch(/lint\.ecb/);
    expect(uncached.stderr).not.toMatch(/lint\.open-empty-api-whitelist\)/);
    await validate();
    const cached = JSON.parse(readFileSync(cacheFile(), 'utf8'));
    expect(cached.projects.find((p: { id: string }) => p.id === 'partner-open').lintIgnores).toEqual([
      'lint.open-empty-api-whitelist',
    ]);
    // A message changed in the record shows the next run took the file from it.
    // (each distinct list of warnings is written once; an entry names its list by index)
    const listOf = cached.projects.find((p: { id: string }) => p.id === 'partner-open').warnings;
    cached.warnings[listOf][0].message = 'from the record';
    writeFileSync(cacheFile(), JSON.stringify(cached));
    const again = await validate();
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/from the record/);
  });

  it('a cached warning of an ignored rule is not trusted: the file is checked again', async () => {
    await validate();
    const cached = JSON.parse(readFileSync(cacheFile(), 'utf8'));
    const entry = cached.projects.find((p: { id: string }) => p.id === 'partner-open');
    cached.warnings.push([
      { ...cached.warnings[entry.warnings][0], rule: 'lint.open-empty-api-whitelist', message: 'forged' },
    ]);
    entry.warnings = cached.warnings.length - 1;
    writeFileSync(cacheFile(), JSON.stringify(cached));
    const r = await validate();
    expect(r).toEqual(await validate('--no-cache'));
    expect(r.stderr).not.toMatch(/forged/);
  });
});
