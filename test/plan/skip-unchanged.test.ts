// Skipping unchanged files (issue 13): a file whose source apply recorded, for projects no write
// touched since, is hashed but not parsed or compared. Each case checks both that the skip did
// (or did not) happen and that the plan is exactly the one of the full path (--no-cache).
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { applyRecording, samePlan as samePlanOf } from '../helpers/skip-path.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const BANK = ['kbank-onboarding', 'kbank-prod'];
const STARTUP = ['acme-beta', 'acme-trial'];

const samePlan = (database: Database, dir: string) => samePlanOf(database, dir, { now: NOW });

const otherPublicKey = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;

const target = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

describe.skipIf(!target.available)('skipping unchanged files on postgres', () => {
  const fresh = useFreshDatabase(target);
  let dir: string;
  let pem: string;

  beforeEach(async () => {
    dir = path.join(tempDir(), 'projects');
    cpSync(path.join(ROOT, 'examples/bank'), dir, { recursive: true });
    cpSync(path.join(ROOT, 'examples/startup'), dir, { recursive: true });
    pem = readFileSync(path.join(dir, 'keys/kbank.pub.pem'), 'utf8');
    await sql`truncate projects cascade`.execute(fresh.database.db);
    await applyRecording(fresh.database, dir);
  });

  it('after apply, every file is skipped and the plan is the full one: no changes', async () => {
    const { plan, skipped } = await samePlan(fresh.database, dir);
    expect(skipped).toEqual([...BANK, ...STARTUP].sort());
    expect(plan.changes).toEqual([]);
    expect(plan.existingProjects).toBe(4);
  });

  it('a file with warnings is skipped like a clean one, its warnings shown as the full path shows them', async () => {
    const file = path.join(dir, 'acme-beta.yaml');
    // Warnings in both documents of one file: OPEN projects without an API whitelist.
    writeFileSync(file, readFileSync(file, 'utf8').replace(/status: (TRIAL|TEST)/g, 'status: OPEN'));
    const before = await samePlan(fresh.database, dir);
    expect(before.skipped).toEqual(BANK);
    await applyRecording(fresh.database, dir);
    const { plan, skipped, diagnostics } = await samePlan(fresh.database, dir);
    expect(skipped).toEqual([...BANK, ...STARTUP].sort());
    expect(plan.changes).toEqual([]);
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.rule}`)).toEqual(
      before.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.rule}`),
    );
    expect(diagnostics.filter((d) => d.severity === 'warning').length).toBeGreaterThan(1);
  });

  it('recorded warnings that do not read as warnings (written by hand) are not trusted: the file is read again', async () => {
    const file = path.join(dir, 'acme-beta.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/status: (TRIAL|TEST)/g, 'status: OPEN'));
    await applyRecording(fresh.database, dir);
    await sql`update projects set manifest_findings = '{"warnings":[{"rule":1}]}' where id = 'acme-trial'`.execute(
      fresh.database.db,
    );
    const { skipped } = await samePlan(fresh.database, dir);
    expect(skipped).toEqual(BANK);
  });

  it('a changed file is read again, the other files stay skipped', async () => {
    const file = path.join(dir, 'acme-beta.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('status: TRIAL', 'status: TEST'));
    const { plan, skipped } = await samePlan(fresh.database, dir);
    expect(skipped).toEqual(BANK);
    expect(plan.changes.map((c) => `${c.projectId} ${c.path}`)).toEqual(['acme-trial spec.status']);
  });

  it('a changed public key file next to an unchanged manifest is not skipped', async () => {
    writeFileSync(path.join(dir, 'keys/kbank.pub.pem'), otherPublicKey());
    const { plan, skipped } = await samePlan(fresh.database, dir);
    expect(skipped).toEqual(STARTUP);
    expect(plan.changes.map((c) => `${c.projectId} ${c.path}`)).toEqual(
      BANK.map((id) => `${id} spec.security.secureTransmission.publicKey`),
    );
    writeFileSync(path.join(dir, 'keys/kbank.pub.pem'), pem);
    expect((await samePlan(fresh.database, dir)).skipped).toEqual([...BANK, ...STARTUP].sort());
  });

  it('a public key file removed is not skipped either: the problem is reported', async () => {
    rmSync(path.join(dir, 'keys/kbank.pub.pem'));
    const { skipped, diagnostics } = await samePlan(fresh.database, dir);
    expect(skipped).toEqual(STARTUP);
    expect(diagnostics.map((d) => d.rule)).toContain('secure-transmission.public-key');
  });

  it('a changed argosctl.yaml reads every file again', async () => {
    writeFileSync(path.join(dir, 'argosctl.yaml'), 'apiVersion: argosctl/v1\nkind: Organization\n');
    const { plan, skipped } = await samePlan(fresh.database, dir);
    expect(skipped).toEqual([]);
    expect(plan.changes).toEqual([]);
  });

  it('rows changed behind the tool (UPDATE, DELETE of a child row, TRUNCATE) are seen: those projects are compared', async () => {
    const db = fresh.database.db;
    await sql`update projects set name = 'changed by hand' where id = 'acme-beta'`.execute(db);
    let r = await samePlan(fresh.database, dir);
    expect(r.skipped).toEqual(BANK);
    expect(r.plan.changes.map((c) => `${c.projectId} ${c.path} ${JSON.stringify(c.before)}`)).toEqual([
      'acme-beta metadata.name "changed by hand"',
    ]);

    await applyRecording(fresh.database, dir);
    await sql`delete from admins where project_id = 'kbank-prod'`.execute(db);
    r = await samePlan(fresh.database, dir);
    expect(r.skipped).toEqual(STARTUP);
    expect(new Set(r.plan.changes.map((c) => `${c.projectId} ${c.path} ${c.action}`))).toEqual(
      new Set(['kbank-prod spec.admins add']),
    );

    await applyRecording(fresh.database, dir);
    await sql`truncate ip_whitelist`.execute(db);
    r = await samePlan(fresh.database, dir);
    expect(r.skipped).toEqual([]);
    expect(r.plan.changes.length).toBeGreaterThan(0);
  });

  it('a project deleted from the database is planned for creation, though its file did not change', async () => {
    await sql`delete from projects where id = 'acme-trial'`.execute(fresh.database.db);
    const { plan, skipped } = await samePlan(fresh.database, dir);
    expect(skipped).toEqual(BANK);
    expect(plan.changes.map((c) => `${c.action} ${c.projectId}`)).toEqual(['create acme-trial']);
  });

  it('an id declared in a changed file and in an unchanged one is the same error as without skipping', async () => {
    const copy = readFileSync(path.join(dir, 'acme-beta.yaml'), 'utf8').replace(
      'name: Acme beta',
      'name: Acme beta again',
    );
    writeFileSync(path.join(dir, 'zz-copy.yaml'), copy);
    const { diagnostics } = await samePlan(fresh.database, dir);
    expect(diagnostics.filter((d) => d.rule === 'project.duplicate-id').map((d) => d.file)).toEqual([
      expect.stringMatching(/zz-copy\.yaml$/),
      expect.stringMatching(/zz-copy\.yaml$/),
    ]);
  });

  it('an apply records only projects it left equal to the manifest, at the revision its writes left', async () => {
    const file = path.join(dir, 'acme-beta.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('status: TRIAL', 'status: TEST'));
    const result = await applyRecording(fresh.database, dir);
    expect(result.plan.changes.length).toBe(1);
    const rows = await sql<{
      id: string;
      current: boolean;
    }>`select id, applied_revision = revision as current from projects order by id`.execute(fresh.database.db);
    expect(rows.rows).toEqual([...BANK, ...STARTUP].sort().map((id) => ({ id, current: true })));
    expect((await samePlan(fresh.database, dir)).skipped).toEqual([...BANK, ...STARTUP].sort());
  });
});

describe.skipIf(!target.available)('the CLI on postgres: plan, saved plans and --no-cache', () => {
  const fresh = useFreshDatabase(target);
  let cwd: string;
  const run = (...args: string[]) =>
    runCliInProcess([...args, '--database-url', fresh.url], { cwd, env: { XDG_CACHE_HOME: path.join(cwd, '.cache') } });

  beforeAll(async () => {
    cwd = tempDir();
    cpSync(path.join(ROOT, 'examples/bank'), path.join(cwd, 'projects'), { recursive: true });
    expect((await run('apply', '--auto-approve')).code).toBe(0);
  });

  it('plan and plan --no-cache print the same plan', async () => {
    const file = path.join(cwd, 'projects/kbank-onboarding.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('name: ', 'name: Renamed '));
    const fast = await run('plan', '--format', 'json');
    const full = await run('plan', '--format', 'json', '--no-cache');
    // the traffic window ends when each plan is made
    const strip = (text: string) => {
      const doc = JSON.parse(text);
      return { ...doc, createdAt: undefined, planDigest: undefined, traffic: { ...doc.traffic, since: 0, until: 0 } };
    };
    expect(fast.code).toBe(0);
    expect(strip(fast.stdout)).toEqual(strip(full.stdout));
    expect(JSON.parse(fast.stdout).changes.length).toBeGreaterThan(0);
  });

  it('a plan saved on the fast path applies, and a forged one is refused', async () => {
    expect((await run('plan', '--out', 'plan.json')).code).toBe(0);
    const saved = JSON.parse(readFileSync(path.join(cwd, 'plan.json'), 'utf8'));
    saved.changes[0].after = 'Forged';
    writeFileSync(path.join(cwd, 'forged.json'), JSON.stringify(saved));
    const forged = await run('apply', 'forged.json');
    expect(forged.code).toBe(3);
    expect(forged.stderr).toMatch(/not what the manifests and the database give/);
    expect((await run('apply', 'plan.json')).code).toBe(0);
    const after = await run('plan', '--detailed-exitcode');
    expect(after.code).toBe(0);
  });
});
