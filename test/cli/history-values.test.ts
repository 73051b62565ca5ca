// History, blame and drift show values as a manifest writes them: a duration as `24h` (stored in
// seconds), a set member (admin, IP range) as present/absent, never as `{}`. The commands run in
// process on PostgreSQL from the template: rendering does not depend on the dialect.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { postgresAvailable, useCliDatabase } from '../helpers/databases.js';

describe('values as written in history, blame and drift', () => {
  let cwd: string;
  const database = useCliDatabase();
  const runCli = (args: string[], options: { cwd: string }) => runCliInProcess(args, { ...options, env: database.env });
  const manifest = () => path.join(cwd, 'projects/kbank-onboarding.yaml');
  const edit = (from: string, to: string) =>
    writeFileSync(manifest(), readFileSync(manifest(), 'utf8').replace(from, to));

  beforeAll(async () => {
    cwd = tempDir('examples/bank');
    expect((await runCli(['apply', '--auto-approve'], { cwd })).code).toBe(0);
    edit('after: 24h', 'after: 36h');
    edit('api: [203.0.113.7, 198.51.100.0/24]', 'api: [203.0.113.7, 192.0.2.0/24]');
    edit('    - email: security@kbank.example\n', '    - email: audit@kbank.example\n');
    const second = await runCli(
      ['apply', '--auto-approve', '--allow', 'whitelist-remove', '--allow', 'whitelist-widen'],
      { cwd },
    );
    expect(second.code, second.stderr).toBe(0);
  });

  it('history text, markdown and CSV: 24h → 36h as written, members present/absent, no 86400 and no {}', async () => {
    const text = (await runCli(['history', 'kbank-onboarding'], { cwd })).stdout;
    expect(text).toMatch(/update spec\.liveform\.tokens\.expiration\.after: 24h → 36h/);
    expect(text).toMatch(/add spec\.admins\[audit@kbank\.example\]: \(absent\) → role=Member/);
    expect(text).toMatch(/remove spec\.security\.ipWhitelist\.api\[198\.51\.100\.0\/24\]: present → \(absent\)/);
    const markdown = (await runCli(['history', '--format', 'markdown'], { cwd })).stdout;
    const csv = (await runCli(['history', '--format', 'csv'], { cwd })).stdout;
    // a create is one row per value of the new project, by manifest path, as written
    const changes = csv
      .split('\n')
      .filter((l) => /,(update|add|remove),spec\./.test(l))
      .join('\n');
    expect(changes.split('\n')).toHaveLength(5);
    for (const out of [text, markdown, changes, csv]) {
      expect(out).not.toContain('{}');
      expect(out).not.toMatch(/\b(86400|129600)\b/);
    }
    expect(csv).toMatch(/,update,spec\.liveform\.tokens\.expiration\.after,24h,36h,/);
    expect(csv).toMatch(/,create,spec\.liveform\.tokens\.expiration\.after,,24h,/);
    for (const out of [text, markdown, csv])
      expect(out).not.toMatch(/apiKeyPreviousValidSeconds|tokenExpirationSeconds/);
  });

  it('history of an id with no events that the database does not hold exits 1 and says so; an empty window is not an error', async () => {
    const unknown = await runCli(['history', 'kbank-onboardin'], { cwd });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /project "kbank-onboardin" has no recorded events and the database does not hold it/,
    );
    expect(unknown.stdout).toBe('');
    const json = await runCli(['history', 'nosuch-project', '--format', 'json'], { cwd });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error.message).toMatch(/"nosuch-project" has no recorded events/);
    const quiet = await runCli(['history', 'kbank-onboarding', '--kind', 'prune'], { cwd });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe('No recorded events.\n');
  });

  it('blame shows the duration as written and members without {}', async () => {
    const blame = (await runCli(['blame', 'kbank-onboarding'], { cwd })).stdout;
    expect(blame).toMatch(/spec\.liveform\.tokens\.expiration\.after = 36h/);
    expect(blame).toMatch(/spec\.admins\[audit@kbank\.example\] = role=Member/);
    expect(blame).not.toContain('{}');
  });

  it('drift text and markdown: the same', async () => {
    edit('after: 36h', 'after: 2d');
    edit('    - email: audit@kbank.example\n', '');
    for (const format of ['text', 'markdown']) {
      const drift = await runCli(['drift', '--format', format], { cwd });
      expect(drift.code).toBe(2);
      expect(drift.stdout).toMatch(/2d/);
      expect(drift.stdout).toMatch(/1d12h/);
      expect(drift.stdout).toMatch(/role(=|&#61;)Member/); // markdown escapes "="
      expect(drift.stdout).not.toContain('{}');
      expect(drift.stdout).not.toMatch(/\b(172800|129600)\b/);
    }
  });

  // Last: it deletes the project by hand (argosctl itself only closes projects).
  it.skipIf(!postgresAvailable)(
    'history of a project deleted by hand keeps its events; with a filter that leaves none it prints none and exits 0 (PostgreSQL only: it deletes the row with SQL)',
    async () => {
      const client = new pg.Client({ connectionString: database.url! });
      await client.connect();
      try {
        await client.query(`delete from projects where id = 'kbank-onboarding'`);
      } finally {
        await client.end();
      }
      const all = await runCli(['history', 'kbank-onboarding'], { cwd });
      expect(all.code).toBe(0);
      expect(all.stdout).toMatch(/create project/);
      const none = await runCli(['history', 'kbank-onboarding', '--kind', 'prune'], { cwd });
      expect([none.code, none.stdout]).toEqual([0, 'No recorded events.\n']);
    },
  );
});
