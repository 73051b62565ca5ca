// Secure transmission in `serve`, over real HTTP on 127.0.0.1 (PostgreSQL), both ways: a project
// with it on must send request bodies sealed for its service key (a clear one is refused with
// transmission_required) and gets every successful Token API answer, and every answer to a sealed
// request, as a sealed envelope its private key opens; errors of clear requests stay readable; a
// project without it is unchanged; a stored key that cannot seal answers 500, never clear data.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALID_API_KEY_MESSAGE } from '../../src/server/same-401.js';
import { SEALED_CONTENT_TYPE } from '../../src/server/sealed-responses.js';
import { keyFingerprint } from '../../src/transmit/fingerprint.js';
import { open } from '../../src/transmit/open.js';
import { seal } from '../../src/transmit/seal.js';
import { serviceKey } from '../../src/transmit/service-key.js';
import { createPublicKey } from 'node:crypto';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { TEST_MASTER_KEY } from '../helpers/service.js';
import { tempDir } from '../helpers/cli.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { applyManifests, manifest, reveal, startService, type Service } from '../helpers/service.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;
const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const TOKENS = '  liveform:\n    tokens: { preRegistration: true }\n';
const sealed =
  `${TOKENS}  security:\n    apiKey: { rotation: 1 }\n` +
  '    secureTransmission: { enabled: true, publicKey: keys/bank.pub.pem }\n';

async function get(
  base: string,
  url: string,
  key: string,
  init: RequestInit = {},
): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(base + url, {
    ...init,
    headers: { 'x-api-key': key, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe.skipIf(!postgres.available)('serve: sealed Token API responses for a project with secure transmission', () => {
  const fresh = useFreshDatabase(postgres);
  let svc: Service;
  let bankKey: string;
  let plainKey: string;
  const tokens = (pid: string) => `/v1/projects/${pid}/tokens`;

  beforeAll(async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'projects/keys'), { recursive: true });
    writeFileSync(
      path.join(dir, 'projects/keys/bank.pub.pem'),
      String(pair.publicKey.export({ type: 'spki', format: 'pem' })),
    );
    await applyManifests(
      fresh.database,
      {
        bank: manifest('bank', sealed),
        plain: manifest('plain', `${TOKENS}  security:\n    apiKey: { rotation: 1 }\n`),
      },
      dir,
    );
    bankKey = await reveal(fresh.database, 'bank');
    plainKey = await reveal(fresh.database, 'plain');
    svc = await startService(fresh.database);
  });
  afterAll(() => svc?.close());

  /** A request body sealed as a client seals it: for the service key `transmit service-key` prints. */
  async function sealedBody(pid: string, body: unknown): Promise<RequestInit> {
    const { publicKeyPem } = await serviceKey(fresh.database.db, pid, () => TEST_MASTER_KEY);
    return {
      body: seal(createPublicKey(publicKeyPem), Buffer.from(JSON.stringify(body))),
      headers: { 'content-type': SEALED_CONTENT_TYPE },
    };
  }
  const opened = (text: string) => JSON.parse(open(pair.privateKey, text).toString());

  it('a request body in clear is refused (transmission_required, readable); nothing is registered', async () => {
    const clear = await get(svc.base, tokens('bank'), bankKey, {
      method: 'POST',
      body: JSON.stringify({ tokenIds: ['token-clear-0001'] }),
    });
    expect(clear.status).toBe(415);
    expect(JSON.parse(clear.text)).toMatchObject({ code: 'transmission_required' });
    expect(JSON.parse(clear.text).message).toMatch(/sealed for its service key/);
    const n = await sql<{ n: number }>`select count(*)::int as n from tokens where project_id = 'bank'`.execute(
      fresh.database.db,
    );
    expect(n.rows[0].n).toBe(0);
  });

  it('`transmit service-key` prints the key serve opens with: the same one on every call', async () => {
    const env = { ARGOS_DATABASE_URL: fresh.url };
    const first = await runCliInProcess(['transmit', 'service-key', 'bank'], { cwd: tempDir(), env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    const { fingerprint } = await serviceKey(fresh.database.db, 'bank', () => TEST_MASTER_KEY);
    expect(keyFingerprint(first.stdout)).toBe(fingerprint);
    expect(first.stderr).toContain(fingerprint);
    const again = await runCliInProcess(['transmit', 'service-key', 'bank'], { cwd: tempDir(), env });
    expect(again.stdout).toBe(first.stdout);
    const missing = await runCliInProcess(['transmit', 'service-key', 'no-such-project'], { cwd: tempDir(), env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/holds no project "no-such-project"/);
  });

  it('a body sealed with `transmit seal --service-key` is opened and registered', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'body.json'), JSON.stringify({ tokenIds: ['token-cli-sealed-1'] }));
    const env = { ARGOS_DATABASE_URL: fresh.url };
    const r = await runCliInProcess(['transmit', 'seal', '--project', 'bank', '--service-key', '--in', 'body.json'], {
      cwd: dir,
      env,
    });
    expect(r.code, r.stderr).toBe(0);
    const reg = await get(svc.base, tokens('bank'), bankKey, {
      method: 'POST',
      body: r.stdout.trim(),
      headers: { 'content-type': SEALED_CONTENT_TYPE },
    });
    expect(reg.status, reg.text).toBe(200);
    expect(opened(reg.text)).toEqual({ added: 1, overwritten: 0, registered: 1 });
  });

  it('without the key, a body (clear, sealed or garbage) learns nothing: the one clear 401 of a project that does not exist', async () => {
    const bodies: [string, RequestInit][] = [
      ['clear', { body: JSON.stringify({ tokenIds: ['token-nokey-0001'] }) }],
      ['sealed', await sealedBody('bank', { tokenIds: ['token-nokey-0001'] })],
      ['garbage', { body: 'x', headers: { 'content-type': SEALED_CONTENT_TYPE } }],
    ];
    const answers = new Set<string>();
    for (const pid of ['no-such-project', 'plain', 'bank'])
      for (const [what, init] of bodies)
        for (const key of ['not-the-key', '']) {
          const r = await get(svc.base, tokens(pid), key, { method: 'POST', ...init });
          expect(r.status, `${pid} ${what} ${key}`).toBe(401);
          answers.add(`${r.status} ${r.type} ${r.text}`);
        }
    expect([...answers]).toEqual([
      `401 application/json; charset=utf-8 ${JSON.stringify({ code: 'invalid_api_key', message: INVALID_API_KEY_MESSAGE })}`,
    ]);
    const n = await sql<{
      n: number;
    }>`select count(*)::int as n from tokens where token_id = 'token-nokey-0001'`.execute(fresh.database.db);
    expect(n.rows[0].n).toBe(0);
  });

  it('errors of a keyed sealed request are sealed too: refused content, an envelope for another key, garbage', async () => {
    const bad = await get(svc.base, tokens('bank'), bankKey, {
      method: 'POST',
      ...(await sealedBody('bank', { tokenIds: ['has space in it'] })),
    });
    expect(bad.status).toBe(400);
    expect(opened(bad.text)).toMatchObject({ code: 'invalid_token_id_format' });
    // Sealed for the project's own (customer) key: serve cannot open it, and says so, sealed.
    const misdirected = await get(svc.base, tokens('bank'), bankKey, {
      method: 'POST',
      body: seal(pair.publicKey, Buffer.from('{"tokenIds":["token-misdirect-1"]}')),
      headers: { 'content-type': SEALED_CONTENT_TYPE },
    });
    expect(misdirected.status).toBe(400);
    expect(opened(misdirected.text)).toMatchObject({ code: 'transmission_invalid' });
    for (const junk of ['', 'not json', '{"v":1}', '\u0000'.repeat(10)]) {
      const r = await get(svc.base, tokens('bank'), bankKey, {
        method: 'POST',
        body: junk,
        headers: { 'content-type': SEALED_CONTENT_TYPE },
      });
      expect(r.status, JSON.stringify(junk)).toBeGreaterThanOrEqual(400);
      expect(r.status, JSON.stringify(junk)).toBeLessThan(500);
    }
    // A sealed body to a project without secure transmission: refused in clear.
    const plainProject = await get(svc.base, tokens('plain'), plainKey, {
      method: 'POST',
      ...(await sealedBody('plain', { tokenIds: ['token-plain-0001'] })),
    });
    expect(plainProject.status).toBe(400);
    expect(JSON.parse(plainProject.text)).toMatchObject({ code: 'transmission_invalid' });
  });

  it("register, count, list, get: envelopes the project's private key opens; no plaintext on the wire", async () => {
    const reg = await get(svc.base, tokens('bank'), bankKey, {
      method: 'POST',
      ...(await sealedBody('bank', { tokenIds: ['token-canary-0001'] })),
    });
    expect(reg.status).toBe(200);
    expect(reg.type).toBe(SEALED_CONTENT_TYPE);
    expect(JSON.parse(open(pair.privateKey, reg.text).toString())).toEqual({ added: 1, overwritten: 0, registered: 2 });
    for (const url of [`${tokens('bank')}/count`, tokens('bank'), `${tokens('bank')}/token-canary-0001`]) {
      const r = await get(svc.base, url, bankKey);
      expect(r.status, url).toBe(200);
      expect(r.type, url).toBe(SEALED_CONTENT_TYPE);
      expect(r.text, url).not.toContain('token-canary');
      expect(JSON.parse(r.text)).toMatchObject({
        v: 1,
        alg: 'ECDH-ES+HKDF-SHA256',
        kid: keyFingerprint(pair.publicKey),
      });
      const body = JSON.parse(open(pair.privateKey, r.text).toString());
      if (url.endsWith('/count')) expect(body).toEqual({ registered: 2, expired: 0 });
      else expect(JSON.stringify(body)).toContain('token-canary-0001');
    }
  });

  it('errors of clear requests stay readable JSON; a project without secure transmission answers in clear', async () => {
    const missing = await get(svc.base, `${tokens('bank')}/token-missing-9999`, bankKey);
    expect(missing.status).toBe(404);
    expect(missing.type).toMatch(/^application\/json/);
    expect(JSON.parse(missing.text)).toMatchObject({ code: 'token_id_not_found' });
    const wrongKey = await get(svc.base, `${tokens('bank')}/count`, 'not-the-key');
    expect(wrongKey.status).toBe(401);
    expect(JSON.parse(wrongKey.text)).toMatchObject({ code: 'invalid_api_key' });
    const plain = await get(svc.base, `${tokens('plain')}/count`, plainKey);
    expect(plain.type).toMatch(/^application\/json/);
    expect(JSON.parse(plain.text)).toEqual({ registered: 0, expired: 0 });
  });

  it('a stored key that cannot seal (RSA 1024, from before the rule): 500, logged, never in clear', async () => {
    const weak = String(
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }),
    );
    await sql`update projects set secure_transmission_public_key = ${weak} where id = 'bank'`.execute(
      fresh.database.db,
    );
    const r = await get(svc.base, tokens('bank'), bankKey);
    expect(r.status).toBe(500);
    expect(JSON.parse(r.text)).toEqual({ code: 'internal_error', message: 'internal error; see the server log' });
    expect(r.text).not.toContain('token-canary');
    expect(svc.logs.some((l) => l.includes('cannot seal for an RSA key of 1024 bits'))).toBe(true);
  });
});
