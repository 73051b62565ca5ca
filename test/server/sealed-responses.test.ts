// Secure transmission in `serve`, over real HTTP on 127.0.0.1 (PostgreSQL): a project with it on
// gets every successful Token API answer as a sealed envelope its private key opens; errors stay
// readable; a project without it is unchanged; a stored key that cannot seal answers 500, never clear data.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEALED_CONTENT_TYPE } from '../../src/server/sealed-responses.js';
import { keyFingerprint } from '../../src/transmit/fingerprint.js';
import { open } from '../../src/transmit/open.js';
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

  it("register, count, list, get: envelopes the project's private key opens; no plaintext on the wire", async () => {
    const reg = await get(svc.base, tokens('bank'), bankKey, {
      method: 'POST',
      body: JSON.stringify({ tokenIds: ['token-canary-0001'] }),
    });
    expect(reg.status).toBe(200);
    expect(reg.type).toBe(SEALED_CONTENT_TYPE);
    expect(JSON.parse(open(pair.privateKey, reg.text).toString())).toEqual({ added: 1, overwritten: 0, registered: 1 });
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
      if (url.endsWith('/count')) expect(body).toEqual({ registered: 1, expired: 0 });
      else expect(JSON.stringify(body)).toContain('token-canary-0001');
    }
  });

  it('errors stay readable JSON; a project without secure transmission answers in clear', async () => {
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
