// Export round trip, by property: whatever generated projects the database holds, export writes
// manifests that plan "No changes" against it, byte-identical on a second export; values from the
// database that look like YAML (newlines, `#`, `---`, quotes) come back exactly.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockedApply } from '../../src/apply/apply-plan.js';
import type { Database } from '../../src/db/connection.js';
import { readState } from '../../src/db/read-state.js';
import { exportFiles } from '../../src/export/export-files.js';
import { writeExport } from '../../src/export/write-export.js';
import { normalizeManifest } from '../../src/manifest/check/normalize.js';
import { readManifests } from '../../src/validate/read-manifests.js';
import type { DesiredProject } from '../../src/manifest/manifest-set.js';
import type { ProjectManifest } from '../../src/manifest/manifest-types.generated.js';
import type { ProjectSettings } from '../../src/model/project-settings.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { projectSettings } from '../helpers/arbitraries.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { depth } from '../helpers/deep.js';

const IDS = ['p-a', 'p-b', 'p-c'];
// ARGOS_DEEP=1: the full 60 and 30 runs (test/helpers/deep.ts).
const RUNS = { pglite: depth(60, 12), postgres: depth(30, 8) } as const;

// Text the database may hold that YAML would misread if written bare.
const hostileText = fc
  .oneof(
    fc.constantFrom(
      'a\n---\nb',
      '# not a comment',
      'key: value',
      '- item',
      'null',
      'true',
      '0x1F',
      '1e3',
      '~',
      '&anchor *alias',
      '!!str tag',
      '%YAML 1.1',
      '"quoted\'',
      ' leading',
      'trailing ',
      '...',
      '---',
      'tab\there',
      'line\r\nbreak',
      '\u0085next',
      '{a: 1}',
      '[x]',
      '@at',
      '`tick`',
    ),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  )
  .filter((s) => s.trim().length > 0 || s.length > 0);

const generated = (id: string) =>
  fc.tuple(projectSettings(id), hostileText, fc.option(hostileText), fc.option(hostileText)).map(
    ([p, name, description, label]): ProjectSettings => ({
      ...p,
      name,
      description,
      labels: label === null ? p.labels : { ...p.labels, note: label },
    }),
  );

/** The semantic rules' view: what a manifest may not say (a database may still hold it). */
function passesRules(p: ProjectSettings): boolean {
  const anyMethod = p.authMethods.idDocument.enabled || p.authMethods.knowledgeBased.enabled;
  const activeKey = p.encryptionKeys.some((k) => k.status === 'active');
  return (anyMethod || p.status === 'CLOSE') && (!p.encryptedOnly || activeKey);
}

function asDesired(projects: ProjectSettings[]) {
  const desired: DesiredProject[] = projects.map((settings) => ({
    settings,
    file: 'gen.yaml',
    line: 1,
    lineOf: () => 1,
  }));
  return { projects: desired, digest: `sha256:${projects.length}` };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function freshDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'argosctl-export-'));
  dirs.push(dir);
  return dir;
}

function readAll(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else out.set(r, readFileSync(path.join(dir, r), 'utf8'));
    }
  };
  walk('');
  return out;
}

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`export round trip on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let database: Database;
    beforeAll(() => {
      database = fresh.database;
    });

    it(`export → plan is "No changes" and a second export is byte-identical (${RUNS[target.name]} runs)`, async () => {
      const states = fc.tuple(...IDS.map((id) => fc.option(generated(id), { freq: 4 })));
      await fc.assert(
        fc.asyncProperty(states, async (slots) => {
          await sql`truncate projects, audit_log, applied_plans cascade`.execute(database.db);
          const held = slots.filter((p): p is ProjectSettings => p !== null);
          await lockedApply(
            database.db,
            undefined,
            (state) => buildPlan({ manifests: asDesired(held), state, git: {}, now: new Date(), allowReopen: true }),
            { actor: 'prop', git: {}, lock: { timeoutMs: 0 } },
          );
          const state = await readState(database.db);

          const { files, problems } = exportFiles([...state.projects.values()], 'schema.json');
          expect(problems).toEqual([]);
          for (const p of held) {
            // Lossless for every project, even one the rules would reject.
            const file = files.find((f) => f.rel === `${p.id}.yaml`)!;
            const doc = parseDocument(file.text);
            expect(doc.errors).toEqual([]);
            expect(normalizeManifest(doc.toJS() as ProjectManifest, p.secureTransmissionPublicKey)).toEqual(p);
          }

          const valid = held.filter(passesRules);
          const out = freshDir();
          writeExport(
            out,
            exportFiles(
              valid.map((p) => state.projects.get(p.id)!),
              'schema.json',
            ).files,
            false,
          );
          const set = await readManifests(out);
          expect(set.diagnostics.filter((d) => d.severity === 'error')).toEqual([]); // lint warnings are expected: generated settings can be dangerous
          expect(set.projects.map((p) => p.settings.id).sort()).toEqual(valid.map((p) => p.id).sort());
          const plan = buildPlan({ manifests: set, state, git: {}, now: new Date(), only: valid.map((p) => p.id) });
          expect(plan.changes).toEqual([]);

          const again = freshDir();
          writeExport(
            again,
            exportFiles(
              valid.map((p) => state.projects.get(p.id)!),
              'schema.json',
            ).files,
            false,
          );
          expect(readAll(again)).toEqual(readAll(out));
        }),
        { numRuns: RUNS[target.name] },
      );
    });
  });
}
