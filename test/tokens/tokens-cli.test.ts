// The token commands: import all-or-nothing with line numbers (in process, on PostgreSQL from the
// template: the dialects are covered by token-store.test.ts), parallel
// registrations from several real processes never pass the cap (also while a prune runs), and a
// real worker stopped with SIGTERM ends cleanly.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { countTokens, registerTokens } from '../../src/tokens/token-store.js';
import { BIN, runCli, tempDir } from '../helpers/cli.js';
import { runCliInProcess as runInProcess } from '../helpers/cli-in-process.js';
import { DATABASE_TARGETS, useCliDatabase, useFreshDatabase } from '../helpers/databases.js';
import { ids, tokenProject } from '../helpers/token-fixtures.js';
import { waitFor } from '../helpers/wait.js';

describe('tokens import', () => {
  let cwd: string;
  const database = useCliDatabase();
  const runCliInProcess = (args: string[], options: { cwd: string }) =>
    runInProcess(args, { ...options, env: database.env });
  beforeAll(async () => {
    cwd = tempDir('examples/startup');
    expect((await runCliInProcess(['apply', '--auto-approve'], { cwd })).code).toBe(0);
  });

  it('reports every invalid line with its number and registers nothing', async () => {
    writeFileSync(
      path.join(cwd, 'ids.txt'),
      ['good-token-1', 'short', 'good-token-2', 'has space x', '-leading-dash'].join('\n'),
    );
    const r = await runCliInProcess(['tokens', 'import', 'acme-beta', 'ids.txt'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ids\.txt:2: "short" is 5 bytes/);
    expect(r.stderr).toMatch(/ids\.txt:4: "has space x" contains white space/);
    expect(r.stderr).toMatch(/ids\.txt:5: .*must start and end with a letter or digit/);
    expect(r.stderr).toMatch(/\[invalid_token_id_format\] 3 invalid line\(s\) in ids\.txt; nothing registered/);
    const count = await runCliInProcess(['tokens', 'count', 'acme-beta', '--format', 'json'], { cwd });
    expect(JSON.parse(count.stdout).registered).toBe(0);
  });

  it('reads CSV with a header and NDJSON', async () => {
    writeFileSync(path.join(cwd, 'ids.csv'), 'token_id,note\ncsv-token-1,a\n"csv-token-2",b\n');
    writeFileSync(path.join(cwd, 'ids.ndjson'), '{"token_id":"json-token-1"}\n{"tokenId":"json-token-2"}\n');
    expect((await runCliInProcess(['tokens', 'import', 'acme-beta', 'ids.csv'], { cwd })).stdout).toMatch(/2 new/);
    expect((await runCliInProcess(['tokens', 'import', 'acme-beta', 'ids.ndjson'], { cwd })).stdout).toMatch(/2 new/);
    const list = JSON.parse(
      (await runCliInProcess(['tokens', 'list', 'acme-beta', '--format', 'json'], { cwd })).stdout,
    );
    expect(list.tokens.map((t: { tokenId: string }) => t.tokenId).sort()).toEqual([
      'csv-token-1',
      'csv-token-2',
      'json-token-1',
      'json-token-2',
    ]);
  });

  it('imports a `;` spreadsheet export by header name, and registers nothing when one line is bad', async () => {
    const count = async () =>
      JSON.parse((await runCliInProcess(['tokens', 'count', 'acme-beta', '--format', 'json'], { cwd })).stdout)
        .registered;
    const before = await count();
    writeFileSync(path.join(cwd, 'bad.csv'), 'Name;Token ID;tokenId\n"Weiß; Anna";x;semi-token-1\nBob;y;"bad token"\n');
    const bad = await runCliInProcess(['tokens', 'import', 'acme-beta', 'bad.csv'], { cwd });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.csv:3: "bad token" contains white space/);
    expect(await count()).toBe(before);
    writeFileSync(
      path.join(cwd, 'export.csv'),
      '\uFEFFName;Token ID;tokenId\r\n"Weiß; Anna";x;semi-token-1\r\nBob;y;"semi-token-2"\r\n',
    );
    const r = await runCliInProcess(['tokens', 'import', 'acme-beta', 'export.csv'], { cwd });
    expect(r.stdout, r.stderr).toMatch(/Imported 2 ID\(s\) from export\.csv \(csv\).*2 new/);
    expect(await count()).toBe(before + 2);
  });

  it('refuses a project without pre-registration, and start shows count-based expiry', async () => {
    const r = await runCliInProcess(['tokens', 'register', 'acme-trial', 'some-token-1'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not use token pre-registration/);
    expect((await runCliInProcess(['tokens', 'start', 'acme-beta', 'csv-token-1'], { cwd })).code).toBe(0);
    const again = await runCliInProcess(['tokens', 'start', 'acme-beta', 'csv-token-1'], { cwd });
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/\[token_expired\]/);
  });
});

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

describe.skipIf(!postgres.available)('tokens under concurrency on postgres', () => {
  const fresh = useFreshDatabase(postgres);
  let database: Database;
  let cwd: string;
  beforeAll(async () => {
    database = fresh.database;
    cwd = tempDir();
    await tokenProject(database.db, 'race', { volume: { start: 90, ratio: 10 } });
  });

  it('parallel imports from four processes never push a project above 100,000, also while a prune runs', async () => {
    await registerTokens(database.db, 'race', ids('seed', 90_000));
    const files = [0, 1, 2, 3].map((i) => {
      const file = path.join(cwd, `batch-${i}.txt`);
      writeFileSync(file, ids(`p${i}`, 4000).join('\n'));
      return file;
    });
    const imports = files.map((f) => runCli(['tokens', 'import', 'race', f, '--database-url', fresh.url], { cwd }));
    const prune = runCli(['prune', '--project', 'race', '--database-url', fresh.url], { cwd });
    const results = await Promise.all([...imports, prune]);
    const importCodes = results.slice(0, 4).map((r) => r.code);
    expect(results[4].code, results[4].stderr).toBe(0);
    for (const r of results.slice(0, 4)) if (r.code !== 0) expect(r.stderr).toMatch(/request_token_limit_exceeded/);
    expect(importCodes.filter((c) => c === 0).length).toBeGreaterThanOrEqual(2);
    const { registered } = await countTokens(database.db, 'race');
    const actual = await sql<{ n: number }>`select count(*)::int as n from tokens where project_id = 'race'`.execute(
      database.db,
    );
    expect(actual.rows[0].n).toBe(registered);
    expect(registered).toBeLessThanOrEqual(100_000);
  });

  it('a worker stopped with SIGTERM finishes or abandons its pass cleanly and exits 0', async () => {
    await sql`truncate worker_ticks`.execute(database.db);
    await sql`update projects set token_volume_start_threshold = 1, token_volume_ratio = 100 where id = 'race'`.execute(
      database.db,
    );
    const child = spawn(process.execPath, [BIN, 'worker', '--database-url', fresh.url], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let gone = false;
    const exited = new Promise<number | null>((r) =>
      child.on('close', (code) => {
        gone = true;
        r(code);
      }),
    );
    await waitFor(
      'the worker to claim its first tick',
      async () => gone || (await sql`select 1 from worker_ticks`.execute(database.db)).rows.length > 0,
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/internal error/);
    const { rows } = await sql<{ status: string }>`select status from worker_ticks`.execute(database.db);
    expect(rows.map((r) => r.status)).toEqual([expect.stringMatching(/^(done|abandoned)$/)]);
    const { registered } = await countTokens(database.db, 'race');
    const actual = await sql<{ n: number }>`select count(*)::int as n from tokens where project_id = 'race'`.execute(
      database.db,
    );
    expect(actual.rows[0].n).toBe(registered);
  });
});
