// "What validates, applies" (issue 17, finding 6), by property: manifests written at the edges
// of the schema (the longest durations, the largest counts, the longest names and labels, the
// smallest values, both manifest versions) validate without an error and then apply on both
// databases without a database error; the next plan is empty.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockedApply } from '../../src/apply/apply-plan.js';
import type { Database } from '../../src/db/connection.js';
import { readState } from '../../src/db/read-state.js';
import { durationFields, valuesAt } from '../../src/manifest/check/duration-fields.js';
import { readManifests } from '../../src/validate/read-manifests.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { MAX_DURATION, MAX_DURATION_SECONDS } from '../../src/util/duration.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { depth } from '../helpers/deep.js';

// ARGOS_DEEP=1: the full runs (test/helpers/deep.ts).
const RUNS = { pglite: depth(60, 12), postgres: depth(40, 8) } as const;

const times = (text: string, n: number) => text.repeat(n);

/** The longest duration the schema allows, written every way, and the shortest. */
const DURATIONS = [
  MAX_DURATION,
  `${MAX_DURATION_SECONDS / 3600}h`,
  `${MAX_DURATION_SECONDS / 60}m`,
  `${MAX_DURATION_SECONDS}s`,
  '24854d23h59m59s',
  '1s',
  '0d0h0m1s',
  '1d1h1m1s',
];

// 63 characters: the longest project id, mixed case and both separators.
const IDS = ['A', '9', `A${times('b_-', 20)}cZ`, `x${times('Y', 61)}0`, 'p_1-Q'];
const NAMES = [
  'N',
  times('n', 200),
  times('😀', 200), // astral: 200 characters, 400 UTF-16 units
  times('名', 200),
  times('e\u0301', 100), // combining marks: 200 code points
  `"quoted" 'single' \\back\\ ${times('x', 170)}`,
];
const LABEL_KEYS = ['a', times('k', 63), `0${times('a./-', 15)}zz`];
const LABEL_VALUES = ['', times('v', 200), times('ü', 200)];
const KEY_NAMES = ['k', `K${times('a._-', 15)}9z`];
const EMAILS = ['a@b.co', `${times('Up', 60)}@${times('d', 60)}.example`, 'ÜBER@bank.example'];
const IP_RANGES = ['0.0.0.0/0', '255.255.255.255', '10.0.0.0/8', '203.0.113.7/32'];

const bound = <T>(values: readonly T[]) => fc.constantFrom(...values);
const count = (min: number, max: number) => fc.constantFrom(min, max);

const userPolicy = (idDocument: boolean) =>
  fc.record(
    {
      scoreThreshold: fc.constantFrom<string | number>(1, 99, 'conservative', 'open'),
      ageLimit: count(13, 120),
      blacklistCountries: fc.constantFrom(['KP'], ['AA', 'ZZ', 'KR', 'US']),
      ...(idDocument
        ? {
            approvedPeriod: bound(DURATIONS),
            rejectedPeriod: bound(DURATIONS),
            supportedIdTypes: fc.constant({ KR: ['national-id', 'drivers-license'], US: ['passport'] }),
          }
        : {}),
    },
    { requiredKeys: [] },
  );

const fraudDetection = fc.record(
  {
    faceMatch: fc.record({ enabled: fc.boolean(), threshold: count(1, 100) }),
    selfieLiveness: fc.record({ mode: fc.constantFrom('off', 'passive', 'active'), threshold: count(1, 100) }),
    rateLimit: fc.record({ maxSubmissions: count(1, 1_000_000), window: bound(DURATIONS) }),
  },
  { requiredKeys: [] },
);

const spec = (v1: boolean) =>
  fc.record(
    {
      status: fc.constantFrom('TRIAL', 'TEST', 'OPEN', 'CLOSE'),
      submissions: fc.constantFrom('normal', 'emergency-stop'),
      authMethods: fc.record({
        idDocument: fc.record({ enabled: fc.constant(true), userPolicy: userPolicy(true), fraudDetection }),
        knowledgeBased: fc.record({ enabled: fc.boolean(), userPolicy: userPolicy(false), fraudDetection }),
      }),
      liveform: fc.record({
        privateMode: fc.boolean(),
        tokens: fc.record({
          preRegistration: fc.constant(true),
          expiration: fc.oneof(
            fc.constant({ mode: 'count' }),
            fc.record({ mode: fc.constant('time'), after: bound(DURATIONS) }),
          ),
          deletion: fc.record({
            onExpiration: fc.boolean(),
            byVolume: fc.record({
              startThreshold: count(1, 100),
              ratio: count(1, 100),
              priority: fc.constantFrom('oldest-first', 'newest-first'),
            }),
          }),
        }),
      }),
      encryption: fc.record({
        ...((v1
          ? { method: fc.constantFrom('ECB', 'GCM') }
          : { methods: fc.constantFrom(['GCM'], ['ECB', 'GCM']) }) as Record<string, fc.Arbitrary<unknown>>),
        keys: fc.uniqueArray(
          fc.record({
            name: bound(KEY_NAMES),
            status: fc.constantFrom('active', 'retired'),
            rotate: count(1, 1_000_000),
          }),
          { selector: (k) => k.name, minLength: 1, maxLength: 2 },
        ),
        retiredKeyValidFor: bound(DURATIONS),
      }),
      security: fc.record({
        privacyProtection: fc.boolean(),
        apiKey: fc.record({ rotation: count(1, 1_000_000), previousKeyValidFor: bound(DURATIONS) }),
        ipWhitelist: fc.record({
          dashboard: fc.uniqueArray(bound(IP_RANGES), { maxLength: 4 }),
          api: fc.uniqueArray(bound(IP_RANGES), { maxLength: 4 }),
        }),
      }),
      webhook: fc.record({
        // The longest URL the schema allows (2,000 characters), and a short one.
        url: fc.constantFrom('https://h.example/', `https://hooks.bank.example/${times('p', 2000 - 27)}`),
        events: fc.constant(['token_expired']),
        secretRotation: count(1, 1_000_000),
      }),
      admins: fc.uniqueArray(
        fc.record({
          email: bound(EMAILS),
          ...(v1 ? {} : { role: fc.constantFrom('Owner', 'Leader', 'Member', 'Guest') }),
        }),
        { selector: (a) => a.email.toLowerCase(), maxLength: 3 },
      ),
    },
    { requiredKeys: ['status', 'authMethods'] },
  );

const manifest = fc.boolean().chain((v1) =>
  fc.record({
    apiVersion: fc.constant(v1 ? 'argosctl/v1' : 'argosctl/v2'),
    kind: fc.constant('Project'),
    metadata: fc.record(
      {
        id: bound(IDS),
        name: bound(NAMES),
        description: fc.constantFrom('', times('d', 2000), times('ß', 2000)),
        labels: fc.dictionary(bound(LABEL_KEYS), bound(LABEL_VALUES), { maxKeys: 3 }),
      },
      { requiredKeys: ['id', 'name'] },
    ),
    spec: spec(v1),
  }),
);

describe('one step past the edge', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'argos-past-edge-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`a duration past ${MAX_DURATION} in any field is a validate error there, not a database error at apply (${RUNS.pglite} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        manifest,
        fc.nat(),
        fc.constantFrom('24856d', `${MAX_DURATION_SECONDS + 1}s`),
        async (doc, pick, past) => {
          const present = durationFields().flatMap((field) => valuesAt(doc, field));
          fc.pre(present.length > 0);
          const { at } = present[pick % present.length];
          let node = doc as unknown as Record<string | number, unknown>;
          for (const seg of at.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
          node[at[at.length - 1]] = past;
          writeFileSync(path.join(dir, 'edge.yaml'), stringify(doc, { lineWidth: 0 }));
          const errors = (await readManifests(dir)).diagnostics.filter((d) => d.severity === 'error');
          expect(errors.map((e) => [e.rule, e.path])).toEqual([['duration.too-long', at.join('.')]]);
        },
      ),
      { numRuns: RUNS.pglite },
    );
  });
});

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`manifests at the schema's edges on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let database: Database;
    let dir: string;
    beforeAll(() => {
      database = fresh.database;
      dir = mkdtempSync(path.join(tmpdir(), 'argos-edges-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it(`what validates applies, with no database error, created and then updated to other edges (${RUNS[target.name]} runs)`, async () => {
      /** Validates the manifest (no error), applies it, and checks that the next plan is empty. */
      const applyEdge = async (doc: unknown) => {
        writeFileSync(path.join(dir, 'edge.yaml'), stringify(doc, { lineWidth: 0 }));
        const set = await readManifests(dir);
        expect(set.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const plan = (state: Awaited<ReturnType<typeof readState>>) =>
          buildPlan({ manifests: set, state, git: {}, now: new Date(), allowReopen: true });
        const applied = await lockedApply(database.db, undefined, plan, {
          actor: 'edges',
          git: {},
          lock: { timeoutMs: 0 },
        });
        expect(applied.plan.diagnostics).toEqual([]);
        expect(plan(await readState(database.db)).changes).toEqual([]);
      };
      await fc.assert(
        fc.asyncProperty(manifest, manifest, async (first, then) => {
          await sql`truncate projects, audit_log, applied_plans cascade`.execute(database.db);
          await applyEdge(first);
          // The same project moved to other edges: every update path writes them too.
          await applyEdge({ ...then, metadata: { ...then.metadata, id: first.metadata.id } });
        }),
        { numRuns: RUNS[target.name] },
      ); // bounded by count only: a loaded machine runs them all, slower
    });
  });
}
