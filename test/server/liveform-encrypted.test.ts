// Liveform admission with encrypted URL parameters, over real HTTP on postgres and through
// `argosctl check`: opened with the project's active keys (and retired ones inside their grace
// period, injected clock), the token read from inside, tampered GCM refused with its own code,
// encrypted-only refusing plain parameters, and a method the project does not accept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptingKey } from '../../src/keys/encryption-keys.js';
import { encryptParams } from '../../src/url/liveform-url.js';
import { registerTokens } from '../../src/tokens/token-store.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { tempDir } from '../helpers/cli.js';
import {
  TEST_MASTER_KEY,
  applyManifests,
  call,
  manifest,
  reveal,
  startService,
  type Service,
} from '../helpers/service.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;
const sealedProject = (keys: string, method = 'GCM') =>
  manifest(
    'vault',
    `  liveform:\n    tokens: { preRegistration: true }\n  encryption:\n` +
      `    encryptedOnly: true\n    method: ${method}\n    retiredKeyValidFor: 1h\n    keys:\n${keys}` +
      '  security:\n    apiKey: { rotation: 1 }\n',
  );
const tamper = (encrypted: string) => {
  const [tag, kid, data] = encrypted.split('.');
  const bytes = Buffer.from(data, 'base64url');
  bytes[bytes.length - 20] ^= 1;
  return `${tag}.${kid}.${bytes.toString('base64url')}`;
};

describe.skipIf(!postgres.available)('encrypted Liveform admission on postgres', () => {
  const fresh = useFreshDatabase(postgres);
  const dir = tempDir();
  let svc: Service;
  let clock = new Date();
  const start = (body: unknown) => call(svc.base, 'POST', '/v1/liveform/start', { body });
  let apiKey: string;
  const check = (body: unknown) => call(svc.base, 'POST', '/v1/liveform/check', { body, key: apiKey });
  const encrypt = async (params: Record<string, string>, key = 'k1', method: 'GCM' | 'ECB' = 'GCM') =>
    encryptParams(params, await encryptingKey(fresh.database.db, 'vault', key, () => TEST_MASTER_KEY), method);

  beforeAll(async () => {
    await applyManifests(fresh.database, { vault: sealedProject('      - { name: k1, status: active }\n') }, dir);
    await registerTokens(fresh.database.db, 'vault', ['tok-0001', 'tok-0002', 'tok-0003']);
    apiKey = await reveal(fresh.database, 'vault'); // /check needs the project's API key
    svc = await startService(fresh.database, { now: () => clock });
  });
  afterAll(() => svc?.close());

  it('opens the encrypted parameters and reads the token from them; tampered GCM is encrypted_tampered, nothing used', async () => {
    const encrypted = await encrypt({ token: 'tok-0001', userid: 'u-1' });
    expect((await check({ pid: 'vault', encrypted })).body).toMatchObject({ admitted: true, dryRun: true });
    expect((await start({ pid: 'vault', params: { pid: 'vault', lang: 'ko', encrypted } })).body).toMatchObject({
      admitted: true,
    });
    expect((await start({ pid: 'vault', encrypted: await encrypt({ token: 'never-registered' }) })).body).toMatchObject(
      { code: 'token_not_found' },
    );
    const altered = tamper(await encrypt({ token: 'tok-0002' }));
    for (const r of [
      await check({ pid: 'vault', encrypted: altered }),
      await start({ pid: 'vault', encrypted: altered }),
    ]) {
      expect(r).toMatchObject({
        status: 403,
        body: { admitted: false, code: 'encrypted_tampered', message: expect.stringMatching(/GCM tag does not match/) },
      });
    }
    const other = await encrypt({ token: 'tok-0002', pid: 'someone-else' });
    expect((await start({ pid: 'vault', encrypted: other })).body).toMatchObject({ code: 'encrypted_invalid' });
    expect(
      (await start({ pid: 'vault', encrypted: 'gcm.000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).body,
    ).toMatchObject({ code: 'encrypted_unknown_key' });
    expect((await start({ pid: 'vault', encrypted: 'not-a-value' })).body).toMatchObject({ code: 'encrypted_invalid' });
  });

  it('encrypted-only refuses plain parameters beside a valid encrypted value, a plain token, and ECB on a GCM project', async () => {
    const encrypted = await encrypt({ token: 'tok-0002' });
    expect((await start({ pid: 'vault', params: { email: 'a@b.example', encrypted } })).body).toMatchObject({
      code: 'encrypted_only',
      message: expect.stringMatching(/email/),
    });
    expect((await start({ pid: 'vault', token: 'tok-0002', encrypted })).body).toMatchObject({
      code: 'encrypted_only',
      message: expect.stringMatching(/token/),
    });
    expect(
      (await start({ pid: 'vault', encrypted: await encrypt({ token: 'tok-0002' }, 'k1', 'ECB') })).body,
    ).toMatchObject({ code: 'encrypted_method_not_accepted' });
  });

  it('after a rotation to k2, URLs made with the retired k1 open for the grace period (1h) and not after', async () => {
    const old = await encrypt({ token: 'tok-0002' });
    await applyManifests(
      fresh.database,
      { vault: sealedProject('      - { name: k1, status: retired }\n      - { name: k2, status: active }\n') },
      dir,
    );
    const fresh2 = await encrypt({ token: 'tok-0003' }, 'k2');
    const t = Date.now();
    clock = new Date(t + 59 * 60_000);
    expect((await check({ pid: 'vault', encrypted: old })).body).toMatchObject({ admitted: true });
    clock = new Date(t + 61 * 60_000);
    expect((await check({ pid: 'vault', encrypted: old })).body).toMatchObject({
      admitted: false,
      code: 'encrypted_unknown_key',
    });
    expect((await check({ pid: 'vault', encrypted: fresh2 })).body).toMatchObject({ admitted: true });
  });

  it('argosctl check --encrypted gives the same answers (exit 0 admitted, 3 refused)', async () => {
    const cli = (args: string[]) =>
      runCliInProcess(['check', 'vault', ...args, '--database-url', fresh.url], { cwd: dir });
    const encrypted = await encrypt({ token: 'tok-0003' }, 'k2');
    const ok = await cli(['--encrypted', encrypted]);
    expect([ok.code, ok.stdout]).toEqual([0, 'admitted; dry run, nothing written\n']);
    const bad = await cli(['--encrypted', tamper(encrypted), '--format', 'json']);
    expect(bad.code).toBe(3);
    expect(JSON.parse(bad.stdout)).toMatchObject({ admitted: false, code: 'encrypted_tampered' });
  });
});
