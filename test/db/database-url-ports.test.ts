// Finding 10 of issue 17: `?port=99999` in a database URL left the driver's connect promise pending
// (exit 13, no message) and `HOST:99999` was "not a valid URL"; SSL file parameters were read with
// a plain readFileSync (`sslcert=/dev/zero` never returned). Each is now one clear line, exit 1.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { UNPARSEABLE, parseDatabaseUrl } from '../../src/db/database-url.js';
import { openDatabase } from '../../src/db/connection.js';
import { tempDir } from '../helpers/cli.js';
import { DATABASE_TARGETS, postgresAvailable } from '../helpers/databases.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

const refusal = (url: string) => {
  try {
    parseDatabaseUrl(url, '/x');
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
};

describe('ports in a PostgreSQL URL', () => {
  it('a port out of 1..65535, after the host or as ?port=, is refused saying what a port is', () => {
    for (const [url, said] of [
      ['postgres://u:pw@127.0.0.1:99999/db', 'the port 99999 is out of range'],
      ['postgres://u@127.0.0.1:0/db', 'the port 0 is out of range'],
      ['postgres://u@[::1]:70000/db', 'the port 70000 is out of range'],
      ['postgres://u@127.0.0.1/db?port=99999', 'the port parameter 99999 is out of range'],
      ['postgres://u@127.0.0.1/db?port=5432&port=99999', 'the port parameter 99999 is out of range'],
      ['postgres://u@127.0.0.1/db?port=abc', 'the port parameter abc is not a number'],
      ['postgres://u@127.0.0.1/db?port=', 'the port parameter is empty'],
    ]) {
      const message = refusal(url);
      expect(message, url).toContain(said);
      expect(message).toContain('a port is a whole number from 1 to 65535');
      expect(message).toContain(UNPARSEABLE);
      expect(message).not.toContain('pw');
    }
  });

  it('ports 1 and 65535 are accepted', () => {
    expect(refusal('postgres://u@127.0.0.1:1/db')).toBeUndefined();
    expect(refusal('postgres://u@127.0.0.1/db?port=65535')).toBeUndefined();
  });

  it('the CLI answers ?port=99999 with one line and exit 1 (it exited 13 without a word)', async () => {
    const cwd = tempDir();
    for (const url of ['postgres://u@127.0.0.1/db?port=99999', 'postgres://u@127.0.0.1:99999/db']) {
      const result = await runCliInProcess(['tokens', 'count', 'p-1', '--database-url', url], { cwd });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: .*port.* is out of range/m);
      expect(result.stderr).not.toMatch(/internal error|^ {4}at /m);
    }
  });
});

describe('SSL file parameters go through the safe reader', () => {
  it('a device, a FIFO, a pseudo-file or a missing file is refused by name before the driver reads it', async () => {
    const fifo = path.join(tempDir(), 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const [param, file, said] of [
      ['sslcert', '/dev/zero', 'is a device'],
      ['sslrootcert', fifo, 'is a FIFO'],
      ['sslkey', '/proc/self/environ', 'is a kernel pseudo-file'],
      ['sslkey', '/nonexistent/key.pem', 'does not exist'],
    ]) {
      const url = `postgres://u@127.0.0.1:1/db?sslmode=require&${param}=${encodeURIComponent(file)}`;
      await expect(openDatabase(url)).rejects.toThrow(`the file named by ${param} ${said}`);
    }
  });
});

describe.skipIf(!postgresAvailable)('the driver giving up on a query', () => {
  // query_timeout=0 is a timer of about a millisecond: on a quiet machine the server could answer
  // first. Another session holds the tables the command reads locked, so every query of the command
  // waits, and the driver's timer, not the machine's speed, decides how the command ends.
  const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;
  it('?query_timeout=0 is one line and exit 1, not an internal error with a stack', async () => {
    const fresh = await postgres.fresh();
    const holder = new pg.Client({ connectionString: fresh.url });
    await holder.connect();
    try {
      const { rows } = await holder.query<{ t: string }>(
        `select quote_ident(tablename) as t from pg_tables where schemaname = 'public'`,
      );
      expect(rows.map((r) => r.t)).toContain('argosctl_migrations');
      await holder.query(`begin; lock table ${rows.map((r) => r.t).join(', ')} in access exclusive mode`);
      const url = new URL(fresh.url);
      url.searchParams.set('query_timeout', '0');
      const result = await runCliInProcess(['tokens', 'count', 'p-1', '--database-url', url.toString()], {
        cwd: tempDir(),
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: database query timed out \(query_timeout in the database URL\)$/m);
      expect(result.stderr).not.toMatch(/internal error|^ {4}at /m);
    } finally {
      await holder.end();
      fresh.release();
    }
  });
});
