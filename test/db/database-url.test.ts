// Database URLs are parsed once and shown without credentials; with a canary password in five
// URL shapes, the canary is never printed: not by the parser, not by a command in process, not
// by the real CLI, whether the URL comes from --database-url or ARGOS_DATABASE_URL.
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { hasCredentials, parseDatabaseUrl, scrubSecrets, UNPARSEABLE } from '../../src/db/database-url.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { runCliInProcess as runInProcess } from '../helpers/cli-in-process.js';

const CANARY = 'Canary7x9Q2pass';
const CANARY2 = 'Canary8y3W4ssl';
// 127.0.0.1:1 is a closed port: connecting fails at once, with the driver's own error message.
const SHAPES = {
  userinfo: `postgres://appuser:${CANARY}@127.0.0.1:1/db`,
  sslpassword: `postgresql://appuser:${CANARY}@127.0.0.1:1/db?sslpassword=${CANARY2}&sslmode=require`,
  queryPassword: `postgres://127.0.0.1:1/db?password=${CANARY}`,
  leadingSpace: ` postgres://appuser:${CANARY}@127.0.0.1:1/db`,
  otherScheme: `mysql://appuser:${CANARY}@127.0.0.1:1/db`,
};

function expectNoCanary(where: string, text: string): void {
  expect(text.includes(CANARY), `${where} shows the password`).toBe(false);
  expect(text.includes(CANARY2), `${where} shows the sslpassword`).toBe(false);
  expect(text.includes('appuser'), `${where} shows the user`).toBe(false);
}

describe('parsing a database URL', () => {
  it('shows a PostgreSQL URL without user, password or secret query values', () => {
    expect(parseDatabaseUrl(SHAPES.userinfo, '/x').display).toBe('postgres://127.0.0.1:1/db');
    expect(parseDatabaseUrl(SHAPES.sslpassword, '/x').display).toBe('postgresql://127.0.0.1:1/db?sslmode=require');
    expect(parseDatabaseUrl(SHAPES.queryPassword, '/x').display).toBe('postgres://127.0.0.1:1/db');
    expect(
      parseDatabaseUrl(`postgres://h/db?sslkey=/k/${CANARY}&sslcert=/c&application_name=ci#${CANARY}`, '/x').display,
    ).toBe('postgres://h/db?application_name=ci');
  });

  it('refuses unparseable URLs without quoting them', () => {
    for (const raw of [
      SHAPES.leadingSpace,
      SHAPES.otherScheme,
      `postgres://u:${CANARY}@[bad/db`,
      `postgres://u:p#${CANARY}@h/db`,
      `${CANARY}\n`,
      '',
    ]) {
      let message = '';
      try {
        parseDatabaseUrl(raw, '/x');
      } catch (err) {
        message = `${(err as Error).message} ${(err as { hint?: string }).hint}`;
      }
      expect(message, JSON.stringify(raw)).toContain(UNPARSEABLE);
      expectNoCanary(JSON.stringify(raw), message);
    }
  });

  it('knows embedded URLs and which URLs carry a credential', () => {
    expect(parseDatabaseUrl('pglite:data/db', '/repo')).toMatchObject({
      kind: 'pglite',
      path: '/repo/data/db',
      display: 'embedded PGlite at /repo/data/db',
    });
    expect(parseDatabaseUrl('memory:', '/repo').kind).toBe('memory');
    expect(hasCredentials(parseDatabaseUrl(SHAPES.userinfo, '/'))).toBe(true);
    expect(hasCredentials(parseDatabaseUrl(SHAPES.queryPassword, '/'))).toBe(true);
    expect(hasCredentials(parseDatabaseUrl('postgres://ci@h/db?sslmode=verify-full', '/'))).toBe(false);
  });

  it('takes an embedded folder whose path holds spaces (the default under "My Projects"), never a line break in one', () => {
    expect(parseDatabaseUrl('pglite:', '/Users/ana/My Projects/bank')).toMatchObject({
      kind: 'pglite',
      path: '/Users/ana/My Projects/bank/.argos/db',
    });
    expect(parseDatabaseUrl('pglite:/Users/ana/My Projects/db', '/x')).toMatchObject({
      path: '/Users/ana/My Projects/db',
    });
    expect(() => parseDatabaseUrl('pglite:/srv/db\n', '/x')).toThrow(UNPARSEABLE);
    expect(() => parseDatabaseUrl('postgres://h/my db', '/x')).toThrow(UNPARSEABLE);
  });

  it('scrubs credentials a driver message quotes', () => {
    const url = parseDatabaseUrl(SHAPES.sslpassword, '/');
    expectNoCanary(
      'scrubbed',
      scrubSecrets(`bad ${SHAPES.sslpassword} for appuser with ${CANARY} and ${CANARY2}`, url),
    );
  });
});

describe('the embedded default in a folder with an odd name', () => {
  const project = (name: string) => {
    const cwd = path.join(tempDir(), name);
    mkdirSync(cwd);
    cpSync('examples/bank', path.join(cwd, 'projects'), { recursive: true });
    return cwd;
  };

  it('works under a name with spaces', async () => {
    const r = await runInProcess(['plan'], { cwd: project('My Projects') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^database: embedded PGlite at .*My Projects\/\.argos\/db \(the default; nothing configured\)$/m,
    );
  });

  it('shows a name with terminal escapes inert, and refuses it as a database path (exit 1)', async () => {
    const r = await runInProcess(['plan'], { cwd: project('x \u001b]0;pwned\u0007') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^database: embedded PGlite at .*x \\x1b\]0;pwned\\x07\/\.argos\/db/m);
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).not.toContain('\u0007');
  });
});

describe('commands never print a database password', () => {
  for (const [shape, url] of Object.entries(SHAPES)) {
    it(`${shape}: plan and tokens count fail with exit 1, in process, from the flag and from ARGOS_DATABASE_URL`, async () => {
      const cwd = tempDir('examples/bank');
      const runs = [
        await runInProcess(['plan', '--database-url', url], { cwd }),
        await runInProcess(['plan'], { cwd, env: { ARGOS_DATABASE_URL: url } }),
        await runInProcess(['tokens', 'count', 'kbank-prod'], { cwd, env: { ARGOS_DATABASE_URL: url, CI: 'true' } }),
      ];
      for (const r of runs) {
        expect(r.code, r.stderr).toBe(1);
        expectNoCanary(shape, r.stdout + r.stderr);
        if (shape === 'leadingSpace' || shape === 'otherScheme') expect(r.stderr).toContain(UNPARSEABLE);
        else
          expect(r.stderr).toMatch(
            /error: database postgres(ql)?:\/\/127\.0\.0\.1:1\/db\S* is unreachable: connect ECONNREFUSED/,
          );
      }
    });
  }

  it("the real CLI: no password, and the driver's own warning replaced by one note", async () => {
    const cwd = tempDir('examples/bank');
    const [viaEnv, viaFlag] = await Promise.all([
      runCli(['plan'], { cwd, env: { ARGOS_DATABASE_URL: SHAPES.sslpassword } }),
      runCli(['apply', '--auto-approve', '--database-url', SHAPES.leadingSpace], { cwd }),
    ]);
    expect(viaEnv.code).toBe(1);
    expect(viaEnv.stderr).toMatch(
      /^database: postgresql:\/\/127\.0\.0\.1:1\/db\?sslmode=require \(ARGOS_DATABASE_URL\)$/m,
    );
    expect(viaEnv.stderr).toMatch(/^note: the PostgreSQL driver \(pg\) printed its sslmode notice/m);
    expect(viaEnv.stderr).not.toMatch(/SECURITY WARNING|Warning:/);
    expect(viaFlag.code).toBe(1);
    expect(viaFlag.stderr).toContain(UNPARSEABLE);
    for (const r of [viaEnv, viaFlag]) expectNoCanary('CLI', r.stdout + r.stderr);
  });
});

describe('memory:NAME, one in-memory database per name in this process', () => {
  it('parses a short lower-case name and refuses anything else without showing it', () => {
    expect(parseDatabaseUrl('memory:conf-1', '/')).toMatchObject({ kind: 'memory', name: 'conf-1' });
    expect(parseDatabaseUrl('memory:', '/')).toMatchObject({ kind: 'memory' });
    expect(parseDatabaseUrl('memory:', '/')).not.toHaveProperty('name');
    for (const bad of ['memory:Upper', 'memory:-lead', `memory:${'x'.repeat(41)}`, 'memory:a/b'])
      expect(() => parseDatabaseUrl(bad, '/')).toThrow(UNPARSEABLE);
  });

  it('every open of a name sees the same data; closing one leaves the others working; the last close ends it', async () => {
    const url = `memory:shared-${process.pid}`;
    const a = await openDatabase(url);
    const b = await openDatabase(url);
    await sql`create table shared_probe (n int)`.execute(a.db);
    await sql`insert into shared_probe values (7)`.execute(b.db);
    await a.close();
    await a.close(); // twice is once
    expect((await sql<{ n: number }>`select n from shared_probe`.execute(b.db)).rows).toEqual([{ n: 7 }]);
    await b.close();
    const c = await openDatabase(url);
    await expect(sql`select n from shared_probe`.execute(c.db)).rejects.toThrow(/shared_probe/);
    await c.close();
  });
});
