// Private mode without pre-registration refuses a completed encrypted Liveform URL, and no other
// spelling of it opens: the payload's base64url must be canonical. The decoder ignores the unused
// low bits of the last character and a lone extra one, so before this a holder of a completed URL
// rewrote its last character (3 or 15 other spellings) or appended one (64), got the same bytes,
// the same valid GCM tag and a new identity, and was admitted again (found by a hostile review).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptingKey } from '../../src/keys/encryption-keys.js';
import { encryptParams, parseEncrypted } from '../../src/url/liveform-url.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import {
  TEST_MASTER_KEY,
  applyManifests,
  call,
  manifest,
  reveal,
  startService,
  type Service,
} from '../helpers/service.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Other spellings of the same bytes: another last character, or one more character. */
function sameBytesSpellings(encrypted: string): string[] {
  const [tag, kid, data] = encrypted.split('.');
  const bytes = Buffer.from(data, 'base64url');
  const out: string[] = [];
  for (const c of ALPHABET) {
    for (const v of [data.slice(0, -1) + c, data + c])
      if (v !== data && Buffer.from(v, 'base64url').equals(bytes)) out.push(`${tag}.${kid}.${v}`);
  }
  return out;
}

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`a completed encrypted URL on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let svc: Service;
    let apiKey: string;
    beforeAll(async () => {
      await applyManifests(fresh.database, {
        priv: manifest(
          'priv',
          '  liveform:\n    privateMode: true\n    tokens: { preRegistration: false }\n' +
            '  encryption:\n    method: GCM\n    keys:\n      - { name: k1, status: active }\n' +
            '  security:\n    apiKey: { rotation: 1 }\n' +
            'lint:\n  ignore:\n    - { rule: lint.private-without-pre-registration, reason: test }\n',
        ),
      });
      apiKey = await reveal(fresh.database, 'priv');
      svc = await startService(fresh.database);
    }, 60_000);
    afterAll(() => svc?.close());

    it('no other spelling of a completed encrypted URL is admitted again', async () => {
      const key = await encryptingKey(fresh.database.db, 'priv', 'k1', () => TEST_MASTER_KEY);
      // Payloads of each length class (DATA length mod 3 = 0, 1, 2 bytes: base64url length mod 4 = 0, 2, 3).
      for (const userid of ['u', 'uu', 'uuu']) {
        const encrypted = encryptParams({ userid }, key, 'GCM');
        const first = await call(svc.base, 'POST', '/v1/liveform/start', { body: { pid: 'priv', encrypted } });
        expect(first.body).toMatchObject({ admitted: true });
        const done = await call(svc.base, 'POST', `/v1/liveform/sessions/${first.body.sessionId}/complete`, {
          body: { result: 'approved' },
          key: apiKey,
        });
        expect(done.status).toBe(200);
        const again = await call(svc.base, 'POST', '/v1/liveform/start', { body: { pid: 'priv', encrypted } });
        expect(again.body).toMatchObject({ admitted: false, code: 'url_completed' });

        const spellings = sameBytesSpellings(encrypted);
        expect(spellings.length).toBeGreaterThan(0);
        // Every spelling is refused by the parser; over HTTP, one with a changed last character and one
        // with an added character (where the length allows each) show admission goes through it.
        for (const other of spellings) expect(() => parseEncrypted(other)).toThrow(/not canonical base64url/);
        const longer = spellings.find((v) => v.length > encrypted.length);
        const changed = spellings.find((v) => v.length === encrypted.length);
        const overHttp = [changed, longer].filter((v): v is string => v !== undefined);
        expect(overHttp.length).toBeGreaterThan(0);
        const admitted: string[] = [];
        for (const other of overHttp) {
          const r = await call(svc.base, 'POST', '/v1/liveform/start', { body: { pid: 'priv', encrypted: other } });
          if (r.body.admitted) admitted.push(other);
          else expect(r.body.code).toBe('encrypted_invalid');
        }
        expect({ userid, reusedThrough: admitted.length, of: overHttp.length }).toEqual({
          userid,
          reusedThrough: 0,
          of: overHttp.length,
        });
      }
    });
  });
}
