// The plan replays what serve recorded: for each kind of change that restricts traffic, the numbers
// it shows equal the test's own tally of what the client sent, on PostgreSQL (library) and on the
// embedded database (serve and `argosctl plan` take turns with its folder). Over the threshold,
// apply refuses (refuses-live-traffic) unless allowed; a saved plan is judged on the traffic of now.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, migrateToLatest, type Database } from '../../src/db/connection.js';
import { readTrafficFacts } from '../../src/db/read-traffic.js';
import { readState } from '../../src/db/read-state.js';
import { encryptingKey } from '../../src/keys/encryption-keys.js';
import { readManifests } from '../../src/validate/read-manifests.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { judgePlan } from '../../src/plan/guards.js';
import type { Plan } from '../../src/plan/plan-types.js';
import type { TrafficImpact } from '../../src/plan/traffic-types.js';
import { encryptParams } from '../../src/url/liveform-url.js';
import { EMPTY_ORGANIZATION } from '../../src/manifest/organization.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { tempDir } from '../helpers/cli.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { TEST_MASTER_KEY, applyManifests, call, manifest, reveal, startService } from '../helpers/service.js';

const before = (rotation: number) =>
  manifest(
    'shop',
    '  encryption:\n    keys:\n      - { name: k1, status: active }\n' +
      `  security:\n    apiKey: { rotation: ${rotation} }\n    ipWhitelist: { api: [198.51.100.0/24, 203.0.113.0/24] }\n`,
  );
const AFTER = manifest(
  'shop',
  '  submissions: emergency-stop\n  liveform:\n    tokens: { preRegistration: true }\n' +
    '  encryption:\n    encryptedOnly: true\n    method: GCM\n    keys:\n      - { name: k1, status: active }\n' +
    '  security:\n    apiKey: { rotation: 3 }\n    ipWhitelist: { api: [203.0.113.0/24] }\n',
  'CLOSE',
);

/** Sends the mix and returns the test's own tally of what each change should show. */
async function sendTally(database: Database, base: string, key1: string, key2: string) {
  const count = (from: string, key: string) =>
    call(base, 'GET', '/v1/projects/shop/tokens/count', { key, headers: { 'x-forwarded-for': from } });
  const calls: [string, string, number][] = [
    ['198.51.100.7', key1, 3],
    ['198.51.100.9', key2, 2],
    ['203.0.113.7', key2, 4],
  ];
  for (const [from, key, n] of calls) for (let i = 0; i < n; i++) expect((await count(from, key)).status).toBe(200);
  expect((await count('203.0.113.8', 'argos_wrong')).status).toBe(401); // not counted: no project established
  expect((await count('192.0.2.1', key2)).status).toBe(403); // counted, already refused: not the change's doing
  const start = (body: unknown) => call(base, 'POST', '/v1/liveform/start', { body });
  const key = await encryptingKey(database.db, 'shop', 'k1', () => TEST_MASTER_KEY);
  const admissions = [
    { pid: 'shop' },
    { pid: 'shop' },
    { pid: 'shop', token: 'regtoken-1' },
    { pid: 'shop', token: 'regtoken-2' },
    { pid: 'shop', token: 'unregtoken-1' },
    { pid: 'shop', token: 'unregtoken-2' },
    { pid: 'shop', token: 'unregtoken-3' },
    { pid: 'shop', encrypted: encryptParams({ userid: 'a' }, key, 'GCM') },
    { pid: 'shop', encrypted: encryptParams({ userid: 'b' }, key, 'GCM') },
    { pid: 'shop', encrypted: encryptParams({ userid: 'c' }, key, 'ECB') },
  ];
  for (const body of admissions) expect((await start(body)).status).toBe(200);
  return {
    total: 10 + admissions.length,
    whitelist: {
      refused: 5,
      distinct: 2,
      top: [
        { address: '198.51.100.7', calls: 3 },
        { address: '198.51.100.9', calls: 2 },
      ],
    },
    ecb: 1,
    plain: 7,
    unregistered: 10, // tokens are registered only under pre-registration: none is, before the change
    admitted: 10,
    olderKey: 3,
    currentKey: 6,
  };
}

function expectTally(impacts: readonly TrafficImpact[], tally: Awaited<ReturnType<typeof sendTally>>) {
  const of = (kind: TrafficImpact['kind']) => impacts.find((i) => i.kind === kind)!;
  for (const i of impacts) expect(i.projectTotal).toBe(tally.total);
  expect(of('api-whitelist')).toMatchObject({
    refused: tally.whitelist.refused,
    addresses: { distinct: tally.whitelist.distinct, top: tally.whitelist.top, unattributed: 0 },
  });
  expect(of('encryption-method')).toMatchObject({ refused: tally.ecb, methods: ['ECB'] });
  expect(of('encrypted-only').refused).toBe(tally.plain);
  expect(of('pre-registration').refused).toBe(tally.unregistered);
  expect(of('close').refused).toBe(tally.admitted);
  expect(of('close').perDay?.reduce((n, d) => n + d.admissions, 0)).toBe(tally.admitted);
  expect(of('emergency-stop').refused).toBe(tally.admitted);
  expect(of('rotate-api-key')).toMatchObject({
    refused: tally.olderKey,
    generations: [{ rotation: 1, calls: tally.olderKey }],
    currentKeyCalls: tally.currentKey,
    graceSeconds: 86_400,
  });
  expect(impacts).toHaveLength(7);
}

/** Applies rotation 1 then 2 (key 1 stays valid in its grace) and reveals both keys. */
async function prepare(database: Database, dir: string) {
  await applyManifests(database, { shop: before(1) }, dir);
  const key1 = await reveal(database, 'shop');
  await applyManifests(database, { shop: before(2) }, dir);
  const key2 = await reveal(database, 'shop');
  return { key1, key2 };
}

function writeAfter(dir: string, org?: string): string {
  const projects = path.join(dir, 'after');
  mkdirSync(projects, { recursive: true });
  writeFileSync(path.join(projects, 'shop.yaml'), AFTER);
  if (org) writeFileSync(path.join(projects, 'argosctl.yaml'), org);
  return projects;
}

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;
describe.skipIf(!postgres.available)('traffic impact on postgres', () => {
  const fresh = useFreshDatabase(postgres);
  let tally: Awaited<ReturnType<typeof sendTally>>;
  let plan: Plan;
  beforeAll(async () => {
    const dir = tempDir();
    const { key1, key2 } = await prepare(fresh.database, dir);
    const svc = await startService(fresh.database, { trustProxy: ['127.0.0.1'] });
    tally = await sendTally(fresh.database, svc.base, key1, key2);
    await svc.close();
    const manifests = await readManifests(writeAfter(dir));
    const traffic = await readTrafficFacts(fresh.database.db, {
      windowMs: 7 * 86_400_000,
      now: new Date(Date.now() + 3_600_000),
      source: 'postgres://127.0.0.1/test',
    });
    plan = buildPlan({ manifests, state: await readState(fresh.database.db), git: {}, now: new Date(), traffic });
  });

  it('shows, for each kind of change, what it would have refused: the tally of what was sent', () => {
    expect(plan.traffic).toMatchObject({ window: '7d', recorded: true, source: 'postgres://127.0.0.1/test' });
    expectTally(plan.traffic!.impacts, tally);
  });

  it('over the threshold apply refuses refuses-live-traffic unless allowed; under it, nothing', () => {
    const org = (threshold: string) => ({ ...EMPTY_ORGANIZATION, traffic: { refuseThreshold: threshold } });
    const judge = (threshold: string, allow: string[] = []) =>
      judgePlan(plan, {
        organization: org(threshold),
        declaredProjects: 1,
        allow: new Set([...allow, 'enter-close', 'emergency-stop', 'whitelist-remove']),
        force: false,
      }).refused;
    const atForty = judge('40%').find((r) => r.risk === 'refuses-live-traffic');
    expect(atForty?.message).toContain('more than 40%');
    expect(atForty?.message).toContain('spec.status'); // close: 10 of 20 (50%)
    expect(atForty?.message).toContain('preRegistration'); // 10 of 20
    expect(atForty?.message).not.toContain('encryptedOnly'); // 7 of 20 (35%)
    expect(atForty?.message).not.toContain('ipWhitelist'); // 5 of 20 (25%)
    expect(judge('60%').some((r) => r.risk === 'refuses-live-traffic')).toBe(false);
    expect(judge('1%', ['refuses-live-traffic']).some((r) => r.risk === 'refuses-live-traffic')).toBe(false);
  });

  it('says "No traffic recorded" when there is none, and names the window and the database', async () => {
    const traffic = await readTrafficFacts(fresh.database.db, {
      windowMs: 3_600_000,
      now: new Date(Date.now() - 30 * 86_400_000),
      source: 'postgres://127.0.0.1/test',
    });
    const manifests = await readManifests(writeAfter(tempDir()));
    const quiet = buildPlan({
      manifests,
      state: await readState(fresh.database.db),
      git: {},
      now: new Date(),
      traffic,
    });
    expect(quiet.traffic?.recorded).toBe(false);
    expect(quiet.traffic?.impacts.every((i) => i.refused === 0)).toBe(true);
    const { renderPlanMarkdown } = await import('../../src/render/plan-markdown.js');
    const md = renderPlanMarkdown(quiet);
    expect(md).toContain('**Traffic impact** over the last 1h');
    expect(md).toContain('postgres://127.0.0.1/test');
    expect(md).toContain('No traffic recorded');
  });
});

describe('traffic impact on the embedded database: serve and argosctl plan take turns with its folder', () => {
  const dir = tempDir();
  const url = `pglite:${path.join(dir, 'db')}`;
  let tally: Awaited<ReturnType<typeof sendTally>>;
  beforeAll(async () => {
    const database = await openDatabase(url);
    await migrateToLatest(database.db);
    const { key1, key2 } = await prepare(database, dir);
    const svc = await startService(database, { trustProxy: ['127.0.0.1'] });
    tally = await sendTally(database, svc.base, key1, key2);
    await svc.close(); // flushes the counts
    await database.close(); // the folder is plan's now
  });
  afterAll(() => {});

  it('plan --format json carries the impacts; markdown shows the section; apply refuses with exit 3', async () => {
    const after = writeAfter(dir, 'apiVersion: argosctl/v1\nkind: Organization\ntraffic: { refuseThreshold: 40% }\n');
    const env = { ARGOS_DATABASE_URL: url, ARGOS_MASTER_KEY: TEST_MASTER_KEY.toString('base64') };
    const json = await runCliInProcess(['plan', '--dir', after, '--format', 'json'], { cwd: dir, env });
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout) as Plan;
    expect(plan.traffic).toMatchObject({ window: '7d', recorded: true, thresholdPercent: 40 });
    expect(plan.traffic!.source).toContain('db');
    expectTally(plan.traffic!.impacts, tally);
    expect(plan.refusals.map((r) => r.risk)).toContain('refuses-live-traffic');
    const md = await runCliInProcess(['plan', '--dir', after, '--format', 'markdown'], { cwd: dir, env });
    expect(md.stdout).toContain('**Traffic impact** over the last 7d');
    expect(md.stdout).toContain('198.51.100.7 (3)');
    const allowed = ['enter-close', 'emergency-stop', 'whitelist-remove'].flatMap((c) => ['--allow', c]);
    const apply = await runCliInProcess(['apply', '--dir', after, '--auto-approve', ...allowed], { cwd: dir, env });
    expect(apply.code).toBe(3);
    expect(apply.stderr).toContain('refuses-live-traffic');
  });

  it('a saved plan is judged on the traffic at apply: refused without the flag; allowed, the rest are warnings', async () => {
    const after = path.join(dir, 'after');
    const env = { ARGOS_DATABASE_URL: url, ARGOS_MASTER_KEY: TEST_MASTER_KEY.toString('base64') };
    const file = path.join(dir, 'plan.json');
    expect((await runCliInProcess(['plan', '--dir', after, '--out', file], { cwd: dir, env })).code).toBe(0);
    const allowed = ['enter-close', 'emergency-stop', 'whitelist-remove'].flatMap((c) => ['--allow', c]);
    const refused = await runCliInProcess(['apply', file, '--dir', after, ...allowed], { cwd: dir, env });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('"refuses-live-traffic": would have refused more than 40%');
    expect(refused.stderr).not.toContain('saved plan is not what');
    const applied = await runCliInProcess(
      ['apply', file, '--dir', after, ...allowed, '--allow', 'refuses-live-traffic'],
      { cwd: dir, env },
    );
    expect(applied.code).toBe(0);
    // Under the threshold: a warning each, and apply goes on.
    expect(applied.stderr).toContain('warning: shop spec.encryption.encryptedOnly would have refused 7');
    expect(applied.stderr).toContain('under the 40% threshold (refuses-live-traffic)');
  });
});
