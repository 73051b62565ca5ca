// `argosctl db roles` prints SQL for a read-only plan role and an apply role without DDL. On a
// real PostgreSQL server: plan, drift and history work for a login in the plan role; apply under
// it fails and writes nothing (drift may only append its result); the apply role applies but cannot change the schema; key
// material is unreadable to the plan role; every table and sequence is placed in one of the roles.
// The commands run in process.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLY_SEQUENCES, OTHER_SEQUENCES, ROLE_TABLES } from '../../src/db/roles-sql.js';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess as runCli } from '../helpers/cli-in-process.js';
import { DATABASE_TARGETS, PG_ADMIN_URL } from '../helpers/databases.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

function asUser(url: string, user: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = '';
  return u.toString();
}

async function query(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

describe.skipIf(!postgres.available)('database roles on PostgreSQL', () => {
  const suffix = randomBytes(4).toString('hex');
  const [planRole, applyRole, planLogin, applyLogin] = ['plan', 'apply', 'plan_login', 'apply_login'].map(
    (r) => `t_${r}_${suffix}`,
  );
  let fresh: { url: string; drop(): Promise<void> };
  let cwd: string;

  beforeAll(async () => {
    fresh = await postgres.fresh();
    cwd = tempDir('examples/bank');
    // the owner migrates and applies once; the roles come after, as the printed SQL says
    for (const argv of [
      ['db', 'migrate'],
      ['apply', '--auto-approve'],
    ]) {
      const r = await runCli([...argv, '--database-url', fresh.url], { cwd });
      expect(r.code, r.stderr).toBe(0);
    }
    const roles = await runCli(['db', 'roles', '--plan-role', planRole, '--apply-role', applyRole], { cwd });
    expect(roles.code, roles.stderr).toBe(0);
    await query(fresh.url, roles.stdout);
    await query(fresh.url, roles.stdout); // safe to run again
    await query(
      fresh.url,
      `CREATE ROLE ${planLogin} LOGIN IN ROLE ${planRole}; CREATE ROLE ${applyLogin} LOGIN IN ROLE ${applyRole};`,
    );
  });

  afterAll(async () => {
    await fresh?.drop();
    await query(PG_ADMIN_URL, `DROP ROLE IF EXISTS ${planLogin}, ${applyLogin}, ${planRole}, ${applyRole}`);
  });

  it('every table and sequence of the migrations is placed in the roles', async () => {
    const tables = await query(
      fresh.url,
      "select table_name as name from information_schema.tables where table_schema = 'public' order by 1",
    );
    expect(tables.rows.map((r) => r.name).sort()).toEqual(Object.keys(ROLE_TABLES).sort());
    const sequences = await query(
      fresh.url,
      "select sequence_name as name from information_schema.sequences where sequence_schema = 'public'",
    );
    expect(sequences.rows.map((r) => r.name).sort()).toEqual([...APPLY_SEQUENCES, ...OTHER_SEQUENCES].sort());
  });

  it('plan, drift and history work for a login in the plan role, and the which-database line names it without credentials', async () => {
    const url = asUser(fresh.url, planLogin);
    const [plan, drift, history] = await Promise.all(
      [['plan', '--detailed-exitcode'], ['drift'], ['history', 'kbank-prod']].map((argv) =>
        runCli(argv, { cwd, env: { ARGOS_DATABASE_URL: url } }),
      ),
    );
    for (const r of [plan, drift, history]) expect(r.code, r.stderr).toBe(0);
    // drift appends its result for the dashboard: the one write the plan role may make
    expect(drift.stderr).not.toContain('not recorded');
    expect((await query(fresh.url, 'select count(*)::int as n from drift_checks')).rows[0].n).toBe(1);
    await expect(query(url, 'delete from drift_checks')).rejects.toMatchObject({ code: '42501' });
    await expect(query(url, 'update drift_checks set unmanaged = unmanaged')).rejects.toMatchObject({ code: '42501' });
    expect(plan.stdout).toMatch(/No changes/);
    expect(plan.stderr).toMatch(
      new RegExp(
        `^database: postgres://127\\.0\\.0\\.1:5432/${new URL(fresh.url).pathname.slice(1)} \\(ARGOS_DATABASE_URL\\)$`,
        'm',
      ),
    );
    expect(plan.stderr).not.toContain(planLogin);
  });

  it('apply as the plan role fails and writes nothing; the apply role applies; neither may change the schema or read key material', async () => {
    const manifest = path.join(cwd, 'projects/kbank-onboarding.yaml');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace('name: KBank production', 'name: KBank production (renamed)'),
    );
    const before = await query(fresh.url, 'select count(*)::int as n from audit_log');
    const refused = await runCli(['apply', '--auto-approve', '--database-url', asUser(fresh.url, planLogin)], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/database error 42501: permission denied/);
    expect((await query(fresh.url, 'select count(*)::int as n from audit_log')).rows[0].n).toBe(before.rows[0].n);
    const applied = await runCli(['apply', '--auto-approve', '--database-url', asUser(fresh.url, applyLogin)], { cwd });
    expect(applied.code, applied.stderr).toBe(0);
    expect((await query(fresh.url, "select name from projects where id = 'kbank-prod'")).rows[0].name).toBe(
      'KBank production (renamed)',
    );
    for (const login of [planLogin, applyLogin]) {
      await expect(query(asUser(fresh.url, login), 'create table intruder (x int)')).rejects.toMatchObject({
        code: '42501',
      });
      await expect(
        query(asUser(fresh.url, login), 'alter table projects add column intruder int'),
      ).rejects.toMatchObject({ code: '42501' });
    }
    await expect(query(asUser(fresh.url, planLogin), 'select material from encryption_keys')).rejects.toMatchObject({
      code: '42501',
    });
    await expect(query(asUser(fresh.url, planLogin), 'select * from tokens')).rejects.toMatchObject({ code: '42501' });
  });

  it('an apply role whose grants predate migration 018: worker starts with a warning, apply that seals says to run the roles SQL again; after it, no warning', async () => {
    await query(fresh.url, `REVOKE ALL ON master_key_check FROM ${applyRole}`);
    const env = { ARGOS_DATABASE_URL: asUser(fresh.url, applyLogin) };
    const worker = await runCli(['worker', '--once'], { cwd, env });
    expect(worker.code, worker.stderr).toBe(0);
    expect(worker.stderr).toMatch(
      /warning: the master key was not checked: this role may not read master_key_check; run the `argosctl db roles` SQL again/,
    );
    const manifest = path.join(cwd, 'projects/kbank-onboarding.yaml');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace(
        '- name: 2026-q4\n        status: active',
        '- name: 2026-q4\n        status: active\n        rotate: 2',
      ),
    );
    const sealing = await runCli(['apply', '--auto-approve', '--project', 'kbank-onboarding'], { cwd, env });
    expect(sealing.code).toBe(1);
    expect(sealing.stderr).toMatch(/database error 42501: permission denied for table master_key_check/);
    expect(sealing.stderr).toMatch(/hint: .*run the `argosctl db roles` SQL again as the owner/);
    const roles = await runCli(['db', 'roles', '--plan-role', planRole, '--apply-role', applyRole], { cwd });
    await query(fresh.url, roles.stdout);
    const again = await runCli(['worker', '--once'], { cwd, env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/warning: the master key was not checked/);
  });

  it('role names are checked before they reach SQL', async () => {
    const r = await runCli(['db', 'roles', '--plan-role', 'x"; drop table projects; --'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--plan-role must be a plain role name/);
  });
});
