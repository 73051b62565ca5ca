// The Token API over real HTTP on 127.0.0.1: every route and error code, the public limits,
// API keys (wrong, missing, rotated), the API IP whitelist with and without a trusted proxy,
// and CLOSE refusing writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { applyManifests, call, manifest, reveal, startService, type Service } from '../helpers/service.js';
import { ids } from '../helpers/token-fixtures.js';

const TOKENS = `  liveform:\n    tokens: { preRegistration: true }\n`;
const keyed = (extra = '') => `  security:\n    apiKey: { rotation: 1 }\n${extra}`;

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`Token API on ${target.name}`, () => {
    let projectReads = 0;
    const fresh = useFreshDatabase(target, {
      namedStatements: true, // as serve opens it
      onQuery: (q) => {
        if (/secure_transmission/.test(q.sql)) projectReads++; // authorization reads it, and so did the hook
      },
    });
    let svc: Service;
    let key: string;
    let closedKey: string;
    let walledKey: string;
    const tokens = (pid: string) => `/v1/projects/${pid}/tokens`;

    beforeAll(async () => {
      await applyManifests(fresh.database, {
        api: manifest('api', TOKENS + keyed('    ipWhitelist: { api: [127.0.0.0/8] }\n')),
        closed: manifest('closed', TOKENS + keyed(), 'CLOSE'),
        walled: manifest('walled', TOKENS + keyed('    ipWhitelist: { api: [10.0.0.0/8] }\n')),
        nokey: manifest('nokey', TOKENS),
      });
      key = await reveal(fresh.database, 'api');
      closedKey = await reveal(fresh.database, 'closed');
      walledKey = await reveal(fresh.database, 'walled');
      svc = await startService(fresh.database);
    });
    afterAll(() => svc?.close());

    it('registers 500 IDs in one request, and refuses 501 with invalid_payload (nothing registered)', async () => {
      const ok = await call(svc.base, 'POST', tokens('api'), { key, body: { tokenIds: ids('five', 500) } });
      expect(ok).toEqual({ status: 200, body: { added: 500, overwritten: 0, registered: 500 } });
      const tooMany = await call(svc.base, 'POST', tokens('api'), { key, body: { tokenIds: ids('more', 501) } });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.code).toBe('invalid_payload');
      expect((await call(svc.base, 'GET', `${tokens('api')}/count`, { key })).body).toEqual({
        registered: 500,
        expired: 0,
      });
    });

    it('re-registering overwrites; count, get one, and keyset pages', async () => {
      const again = await call(svc.base, 'POST', tokens('api'), {
        key,
        body: { tokenIds: ['five-00000000', 'page-00000001'] },
      });
      expect(again.body).toEqual({ added: 1, overwritten: 1, registered: 501 });
      const one = await call(svc.base, 'GET', `${tokens('api')}/five-00000000`, { key });
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ tokenId: 'five-00000000', expired: false });
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = await call(svc.base, 'GET', `${tokens('api')}?limit=200${after ? `&after=${after}` : ''}`, {
          key,
        });
        expect(page.status).toBe(200);
        seen.push(...(page.body.tokens as { tokenId: string }[]).map((t) => t.tokenId));
        after = page.body.next as string | undefined;
      } while (after);
      expect(seen).toHaveLength(501);
      expect(new Set(seen).size).toBe(501);
    });

    it('answers each public error code with {code, message}', async () => {
      const cases: [string, string, { body?: unknown; k?: string }, number, string][] = [
        ['POST', tokens('api'), { body: { tokenIds: 'x' } }, 400, 'invalid_payload'],
        ['POST', tokens('api'), { body: { tokenIds: [] } }, 400, 'invalid_payload'],
        ['POST', tokens('api'), { body: { tokenIds: ['a b c d e f g h'] } }, 400, 'invalid_token_id_format'],
        ['GET', tokens('no-such-project'), {}, 401, 'invalid_api_key'], // the same 401 as a wrong key
        ['GET', `${tokens('api')}/bad`, {}, 400, 'invalid_token_id'],
        ['GET', `${tokens('api')}/never-registered`, {}, 404, 'token_id_not_found'],
        ['DELETE', tokens('api'), { body: { tokenIds: ['never-registered'] } }, 404, 'token_not_found'],
        ['DELETE', tokens('api'), { body: { tokenIds: ids('del', 501) } }, 400, 'invalid_payload'],
        ['DELETE', `${tokens('api')}?oldest=5001`, {}, 400, 'invalid_payload'],
        ['DELETE', tokens('api'), {}, 400, 'invalid_payload'],
        ['GET', `${tokens('api')}?limit=10001`, {}, 400, 'invalid_payload'],
        ['GET', `${tokens('api')}?after=not-a-cursor`, {}, 400, 'invalid_payload'],
      ];
      for (const [method, url, o, status, code] of cases) {
        const r = await call(svc.base, method, url, { key: o.k ?? key, body: o.body });
        expect({ method, url, status: r.status, code: r.body.code }).toEqual({ method, url, status, code });
        expect(typeof r.body.message).toBe('string');
      }
      expect((await call(svc.base, 'GET', `${tokens('api')}/count`, { key })).body.registered).toBe(501);
    });

    it('refuses past the 100,000 cap with request_token_limit_exceeded', async () => {
      await sql`update token_counts set registered = 99999 where project_id = 'api'`.execute(fresh.database.db);
      try {
        const r = await call(svc.base, 'POST', tokens('api'), { key, body: { tokenIds: ids('cap', 2) } });
        expect([r.status, r.body.code]).toEqual([409, 'request_token_limit_exceeded']);
      } finally {
        await sql`update token_counts set registered = 501 where project_id = 'api'`.execute(fresh.database.db);
      }
    });

    it('deletes by ID and the oldest N', async () => {
      expect(
        (await call(svc.base, 'DELETE', tokens('api'), { key, body: { tokenIds: ['page-00000001'] } })).body,
      ).toEqual({ deleted: 1 });
      expect((await call(svc.base, 'DELETE', `${tokens('api')}?oldest=100`, { key })).body).toEqual({ deleted: 100 });
      expect((await call(svc.base, 'GET', `${tokens('api')}/count`, { key })).body).toEqual({
        registered: 400,
        expired: 0,
      });
    });

    it("a missing or wrong API key, or another project's key, is 401 invalid_api_key", async () => {
      for (const k of [undefined, 'argos_wrong', closedKey, key.slice(0, -1)]) {
        const r = await call(svc.base, 'GET', `${tokens('api')}/count`, { key: k });
        expect([r.status, r.body.code]).toEqual([401, 'invalid_api_key']);
      }
      const noKeyProject = await call(svc.base, 'GET', `${tokens('nokey')}/count`, { key });
      expect(noKeyProject.status).toBe(401);
    });

    it('read routes check the key in their own statement: unknown project, wrong or missing key give one 401, even with a malformed token ID, page size or cursor', async () => {
      const session = '00000000-0000-4000-8000-000000000000'; // no such session
      const requests: [string, string, unknown][] = [
        ['GET', `${tokens('api')}/count`, undefined],
        ['GET', `${tokens('api')}/good-token-1`, undefined],
        ['GET', `${tokens('api')}/bad!id`, undefined],
        ['GET', `${tokens('api')}?limit=100`, undefined],
        ['GET', `${tokens('api')}?limit=0`, undefined],
        ['GET', `${tokens('api')}?after=not-a-cursor`, undefined],
        ['POST', '/v1/liveform/check', { pid: 'api', token: 'x'.repeat(300) }],
        ['POST', '/v1/liveform/check', { pid: 'api', token: 'good-token-1' }],
        ['POST', `/v1/liveform/sessions/${session}/complete`, { result: 'approved' }],
        ['POST', '/v1/liveform/sessions/not-a-uuid/complete', { result: 'approved' }],
      ];
      const bodies = new Set<string>();
      for (const [method, url, body] of requests)
        for (const k of [undefined, 'argos_wrong', walledKey]) {
          const r = await call(svc.base, method, url, { key: k, body });
          expect([url, r.status]).toEqual([url, 401]);
          bodies.add(JSON.stringify(r.body));
        }
      for (const [method, url, body] of [
        ['GET', `${tokens('no-such-project')}/count`, undefined],
        ['GET', `${tokens('no-such-project')}?limit=0`, undefined],
        ['POST', '/v1/liveform/check', { pid: 'no-such-project', token: 'good-token-1' }],
      ] as const) {
        const r = await call(svc.base, method, url, { key, body });
        expect([url, r.status]).toEqual([url, 401]);
        bodies.add(JSON.stringify(r.body));
      }
      expect(bodies.size).toBe(1); // the same answer whatever was wrong
      // With the key, the malformed ones get their own codes.
      expect((await call(svc.base, 'GET', `${tokens('api')}?limit=0`, { key })).body.code).toBe('invalid_payload');
      expect((await call(svc.base, 'GET', `${tokens('api')}?after=not-a-cursor`, { key })).body.code).toBe(
        'invalid_payload',
      );
    });

    it('a forged cursor that decodes (a time PostgreSQL cannot read, a NUL byte, no token ID) is the one 401 without the key and 400 with it, never a 500', async () => {
      const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const forged = [
        cursor(['garbage', 'good-token-1']),
        cursor(['2020-13-45 25:61:00+00', 'good-token-1']),
        cursor(['2020-01-01 00:00:00 Nowhere/Atlantis', 'good-token-1']),
        cursor(['2020-01-01 00:00:00+00', 'good\u0000token']),
        cursor(['2020-01-01\u0000', 'good-token-1']),
        cursor(['2020-01-01 00:00:00+00', "x' or '1'='1"]),
      ];
      const errorsBefore = svc.logs.filter((l) => l.includes('"level":"error"')).length;
      for (const after of forged) {
        for (const [pid, k] of [
          ['api', undefined],
          ['api', 'argos_wrong'],
          ['no-such-project', key],
        ] as const) {
          const r = await call(svc.base, 'GET', `${tokens(pid)}?after=${after}`, { key: k });
          expect([after, pid, r.status, r.body.code]).toEqual([after, pid, 401, 'invalid_api_key']);
        }
        const keyed = await call(svc.base, 'GET', `${tokens('api')}?after=${after}`, { key });
        expect([after, keyed.status, keyed.body.code]).toEqual([after, 400, 'invalid_payload']);
      }
      expect(svc.logs.filter((l) => l.includes('"level":"error"')).length).toBe(errorsBefore);
      // A cursor PostgreSQL reads, even one no page would give, is a page (of whatever comes after it).
      const late = await call(svc.base, 'GET', `${tokens('api')}?after=${cursor(['infinity', 'zzzzzzzz'])}`, { key });
      expect([late.status, late.body.tokens]).toEqual([200, []]);
    });

    it('an address outside the API whitelist gets 403, even with the right key; X-Forwarded-For counts only from a trusted proxy', async () => {
      const blocked = await call(svc.base, 'GET', `${tokens('walled')}/count`, {
        key: walledKey,
        headers: { 'x-forwarded-for': '10.1.2.3' },
      });
      expect([blocked.status, blocked.body.code]).toEqual([403, 'ip_not_allowed']);
      const proxied = await startService(fresh.database, { trustProxy: ['127.0.0.1/32'] });
      try {
        const ok = await call(proxied.base, 'GET', `${tokens('walled')}/count`, {
          key: walledKey,
          headers: { 'x-forwarded-for': '10.1.2.3' },
        });
        expect(ok).toEqual({ status: 200, body: { registered: 0, expired: 0 } });
        const outside = await call(proxied.base, 'GET', `${tokens('walled')}/count`, {
          key: walledKey,
          headers: { 'x-forwarded-for': '192.0.2.1' },
        });
        expect(outside.status).toBe(403);
        // A client that writes a whitelisted address first gains nothing: the hop the proxy saw counts.
        // Nor does a forwarded value that is a range, not an address (the whitelist's own 10.0.0.0/8).
        for (const spoof of ['10.1.2.3, 192.0.2.1', 'garbage, 192.0.2.1', '::1', '10.0.0.0/8', '10.1.2.3/32']) {
          const r = await call(proxied.base, 'GET', `${tokens('walled')}/count`, {
            key: walledKey,
            headers: { 'x-forwarded-for': spoof },
          });
          expect({ spoof, status: r.status }).toEqual({ spoof, status: 403 });
        }
      } finally {
        await proxied.close();
      }
    });

    it('CLOSE refuses writes (project_closed) and still answers reads', async () => {
      const write = await call(svc.base, 'POST', tokens('closed'), {
        key: closedKey,
        body: { tokenIds: ['closed-token-1'] },
      });
      expect([write.status, write.body.code]).toEqual([403, 'project_closed']);
      const del = await call(svc.base, 'DELETE', `${tokens('closed')}?oldest=1`, { key: closedKey });
      expect([del.status, del.body.code]).toEqual([403, 'project_closed']);
      expect((await call(svc.base, 'GET', `${tokens('closed')}/count`, { key: closedKey })).status).toBe(200);
    });

    it('logs one JSON line per request with no key and no whole token ID; /metrics counts requests', async () => {
      await call(svc.base, 'GET', `${tokens('api')}/five-00000001`, { key });
      const line = svc.logs
        .map((l) => JSON.parse(l))
        .find((l) => l.route === '/v1/projects/:pid/tokens/:tokenId' && l.status === 200);
      expect(line).toMatchObject({ method: 'GET', project: 'api', token: 'five…', ip: '127.0.0.1' });
      const all = svc.logs.join('\n');
      expect(all).not.toContain(key);
      expect(all).not.toContain('five-00000001');
      const metrics = await fetch(`${svc.base}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(
        /argos_http_requests_total\{route="\/v1\/projects\/:pid\/tokens",method="POST",code="200"\} \d+/,
      );
      expect(metrics).toMatch(/argos_tokens_registered_total \d+/);
    });

    it('hostile project IDs, token IDs and headers are answered with a code, never a crash', async () => {
      const hostile = [
        "x'; drop table tokens; --",
        '<script>alert(1)</script>',
        '..%2F..%2Fetc',
        'a'.repeat(5000),
        '%00',
      ];
      for (const pid of hostile) {
        const r = await call(svc.base, 'GET', `/v1/projects/${encodeURIComponent(pid)}/tokens/count`, { key });
        expect([400, 401, 404, 414]).toContain(r.status);
        const t = await call(svc.base, 'GET', `${tokens('api')}/${encodeURIComponent(pid)}`, { key });
        expect({ pid, status: t.status, code: t.body.code }).toEqual({
          pid,
          status: 400,
          code: pid.length > 100 ? 'invalid_payload' : 'invalid_token_id',
        });
      }
      // The project id grammar (src/model/project-id.ts) is checked on the path before anything else.
      for (const pid of ['k\u0430bank', 'a/b', 'bad-', '-bad', 'x'.repeat(64), 'a b', 'nul\0', 'pct%41']) {
        const r = await call(svc.base, 'GET', `/v1/projects/${encodeURIComponent(pid)}/tokens/count`, { key });
        expect({ pid, status: r.status, code: r.body.code }).toEqual({ pid, status: 400, code: 'invalid_payload' });
      }
      const mixedCase = await call(svc.base, 'GET', '/v1/projects/KBank_Prod7/tokens/count', { key });
      expect({ status: mixedCase.status, code: mixedCase.body.code }).toEqual({ status: 401, code: 'invalid_api_key' }); // fits the grammar; no such project
      const weirdKey = await call(svc.base, 'GET', `${tokens('api')}/count`, {
        headers: { 'x-api-key': 'é'.repeat(100) },
      });
      expect(weirdKey.status).toBe(401);
      expect((await call(svc.base, 'GET', `${tokens('api')}/count`, { key })).status).toBe(200);
    });

    it('/healthz and /readyz answer; unknown routes are 404 not_found', async () => {
      expect(await call(svc.base, 'GET', '/healthz')).toEqual({ status: 200, body: { ok: true } });
      expect(await call(svc.base, 'GET', '/readyz')).toEqual({ status: 200, body: { ready: true } });
      expect((await call(svc.base, 'GET', '/v2/nothing')).body.code).toBe('not_found');
    });

    // Last: it deletes the oldest token of the project the tests above count.
    it("a write with a body reads the project once: the authorization checks the secure-transmission hook's row", async () => {
      const reads = async (work: () => Promise<unknown>) => {
        const before = projectReads;
        await work();
        return projectReads - before;
      };
      expect(
        await reads(() => call(svc.base, 'POST', tokens('api'), { key, body: { tokenIds: ['once-read-1'] } })),
      ).toBe(1);
      expect(
        await reads(() => call(svc.base, 'DELETE', tokens('api'), { key, body: { tokenIds: ['once-read-1'] } })),
      ).toBe(1);
      const wrong = await call(svc.base, 'POST', tokens('api'), { key: 'wrong', body: { tokenIds: ['once-read-2'] } });
      expect(wrong.status).toBe(401);
      expect(await reads(() => call(svc.base, 'DELETE', `${tokens('api')}?oldest=1`, { key }))).toBe(1);
    });
  });
}
