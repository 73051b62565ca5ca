// The CLI on the embedded database: apply issues an API key (the master key file is made with mode
// 0600), `keys reveal` shows it once, `check` answers without writing, `tokens register` keeps the
// public limit (these in process), and a spawned `argosctl serve` loses no request in flight at SIGTERM
// (nor their traffic facts).
import { spawn } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { BIN, tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { manifest } from '../helpers/service.js';
import { ids } from '../helpers/token-fixtures.js';

const NO_MASTER_KEY = { ARGOS_MASTER_KEY: '', ARGOS_MASTER_KEY_FILE: '' };

interface TwoStepPost {
  /** Resolves once the server has parsed the request's headers (it answered 100 Continue). */
  accepted: Promise<void>;
  answered: Promise<{ status: number; body: string }>;
  sendBody(): void;
}

/** A POST with Expect: 100-continue, so the test knows the server holds it before the body is sent. */
function postInTwoSteps(port: number, url: string, key: string, body: string): TwoStepPost {
  const req = http.request({
    host: '127.0.0.1',
    port,
    path: url,
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-api-key': key,
      expect: '100-continue',
    },
  });
  req.flushHeaders();
  const accepted = new Promise<void>((resolve, reject) => {
    req.once('continue', resolve);
    req.once('error', reject);
  });
  const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
  });
  return { accepted, answered, sendBody: () => req.end(body) };
}

describe('serve, keys and check through the CLI on the embedded database', () => {
  let cwd: string;
  let key: string;
  const cli = (args: string[]) => runCliInProcess(args, { cwd, env: NO_MASTER_KEY });

  beforeAll(async () => {
    cwd = tempDir();
    mkdirSync(path.join(cwd, 'projects'));
    writeFileSync(
      path.join(cwd, 'projects/svc.yaml'),
      manifest(
        'svc',
        '  liveform:\n    tokens: { preRegistration: true, expiration: { mode: count } }\n  security:\n    apiKey: { rotation: 1 }\n',
      ),
    );
    const applied = await cli(['apply', '--auto-approve']);
    expect(applied.code).toBe(0);
  });

  it('apply makes a 0600 master key file beside the database; keys reveal prints the key once, then exit 3 with a hint', async () => {
    expect(statSync(path.join(cwd, '.argos/db.master-key')).mode & 0o777).toBe(0o600);
    const first = await cli(['keys', 'reveal', 'svc', 'api-key', '--yes-print-secret']);
    expect(first.code).toBe(0);
    key = first.stdout.trim();
    expect(key).toMatch(/^argos_[A-Za-z0-9_-]{43}$/);
    expect(first.stderr).not.toContain(key);
    const second = await cli(['keys', 'reveal', 'svc', 'api-key', '--yes-print-secret']);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/already revealed[\s\S]*hint: bump spec\.security\.apiKey\.rotation to 2/);
    expect(second.stdout).toBe('');
    const list = await cli(['keys', 'list', 'svc']);
    expect(list.stdout).toMatch(/rotation 1 {2}sha256:[0-9a-f]{12} {2}current {2}revealed .* by /);
    expect(list.stdout).not.toContain(key);
  });

  it('tokens register keeps the public limit of 500 IDs; check is a dry run (exit 0 admitted, 3 refused)', async () => {
    const tooMany = await cli(['tokens', 'register', 'svc', ...ids('cli', 501)]);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(/\[invalid_payload\] 501 IDs in one request; 1 to 500/);
    expect((await cli(['tokens', 'register', 'svc', 'cli-token-1'])).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const admitted = await cli(['check', 'svc', '--token', 'cli-token-1', '--format', 'json']);
      expect(admitted.code).toBe(0);
      expect(JSON.parse(admitted.stdout)).toMatchObject({ admitted: true, dryRun: true });
    }
    const refused = await cli(['check', 'svc', '--token', 'not-registered-1']);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toMatch(/^refused \[token_not_found\]/);
    const unknown = await cli(['tokens', 'count', 'nope']);
    expect([unknown.code, unknown.stderr]).toEqual([
      1,
      expect.stringMatching(/\[invalid_project\] project "nope" does not exist/),
    ]);
  });

  it('SIGTERM: requests in flight all finish, then the process exits 0', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...NO_MASTER_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const seen = (pattern: RegExp) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const look = () => {
          const m = stderr.match(pattern);
          if (m) {
            child.stderr.off('data', look);
            resolve(m);
          }
        };
        child.stderr.on('data', (d) => {
          stderr += d;
          look();
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code} before ${pattern}: ${stderr}`)));
        look();
      });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const port = Number((await seen(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const requests = Array.from({ length: 8 }, (_, i) =>
      postInTwoSteps(port, '/v1/projects/svc/tokens', key, JSON.stringify({ tokenIds: ids(`flight${i}`, 500) })),
    );
    await Promise.all(requests.map((r) => r.accepted)); // the server holds all 8 requests, bodies not sent yet
    child.kill('SIGTERM');
    await seen(/serve: stopping/);
    for (const r of requests) r.sendBody();
    const answers = await Promise.all(requests.map((r) => r.answered));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/serve: stopped; closing the database/);
    const count = await cli(['tokens', 'count', 'svc', '--format', 'json']);
    expect(JSON.parse(count.stdout)).toEqual({ formatVersion: 1, kind: 'tokens-count', registered: 4001, expired: 0 });
    // The traffic facts counted in memory were written on the way out (SIGTERM), all 8 calls.
    const database = await openDatabase(`pglite:${path.join(cwd, '.argos/db')}`);
    try {
      const { rows } = await sql<{ n: number }>`
        select cast(sum(count) as int) as n from traffic_facts
        where project_id = 'svc' and route = '/v1/projects/:pid/tokens' and outcome = 'ok'`.execute(database.db);
      expect(rows[0].n).toBe(8);
    } finally {
      await database.close();
    }
  });
});
