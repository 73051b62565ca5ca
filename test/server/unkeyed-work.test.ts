// What a caller without the API key can make `serve` do, over real HTTP: no body of a Token API route
// is parsed before the key is checked, no JSON body is parsed deeper than 32 levels, the Liveform
// routes read no more body than they can hold, a malformed project id never reaches the database,
// and the list route builds no page of tokens for a caller it refuses. (Found by a hostile review:
// 1 MiB of `[[[…]]]` held the event loop for 300–400 ms, a wrong-key list of 10,000 made
// PostgreSQL build the page, and `a%00b` was a 500.)
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  UnknownRow,
} from 'kysely';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_CONTAINERS, MAX_JSON_DEPTH, jsonShapeProblem } from '../../src/server/json-body.js';
import { ADMISSION_BODY_LIMIT, COMPLETE_BODY_LIMIT } from '../../src/server/liveform-routes.js';
import { importTokens } from '../../src/tokens/token-requests.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { applyManifests, call, manifest, reveal, startService, type Service } from '../helpers/service.js';

const WALL = '    ipWhitelist: { api: [10.9.0.0/16] }\n';

const KEYED = '  security:\n    apiKey: { rotation: 1 }\n';
const TOKENS = '  liveform:\n    tokens: { preRegistration: true }\n';

/** Every row the database hands the service, per statement (a Kysely plugin that only looks). */
class ResultRecorder implements KyselyPlugin {
  rows: UnknownRow[] = [];
  transformQuery(args: PluginTransformQueryArgs) {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.rows.push(...args.result.rows);
    return args.result;
  }
}

/** A raw body (not JSON.stringify'd) with the JSON content type. */
async function send(base: string, method: string, url: string, body: string, key?: string) {
  const res = await fetch(base + url, {
    method,
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: (text.startsWith('{') ? JSON.parse(text) : { text }) as Record<string, unknown> };
}

/** A POST whose headers and first body bytes go now, and the rest when `finish` is called. */
function slowPost(base: string, url: string, key: string, body: string) {
  let finish!: () => void;
  const answer = new Promise<number>((resolve, reject) => {
    const req = request(base + url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key, 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.write(body.slice(0, 5));
    finish = () => req.end(body.slice(5));
  });
  return { answer, finish: () => finish() };
}

/** Sends `head` alone on a raw connection: whether the server answered and closed it, or kept it open for the body. */
function headersOnly(base: string, head: string) {
  const { port } = new URL(base);
  return new Promise<{ status: number; closed: boolean }>((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    let data = '';
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('error', () => {});
    const done = (closed: boolean) => resolve({ status: Number(/HTTP\/1\.1 (\d{3})/.exec(data)?.[1]), closed });
    socket.on('close', () => {
      clearTimeout(timer);
      done(true);
    });
    // Long enough on a loaded machine: the closing case ends as soon as the answer is sent.
    const timer = setTimeout(() => {
      socket.destroy();
      done(false);
    }, 5_000);
    socket.write(head);
  });
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('jsonShapeProblem', () => {
  const deeperThan = (text: string, max: number) => jsonShapeProblem(text, max)?.includes('deep') ?? false;

  it('counts arrays and objects inside each other, not brackets inside strings or escaped quotes', () => {
    expect(deeperThan('{"a":[[1]]}', 3)).toBe(false);
    expect(deeperThan('{"a":[[[1]]]}', 3)).toBe(true);
    expect(deeperThan('[1,[2],[3],[4]]', 2)).toBe(false); // siblings are not depth
    expect(deeperThan(`{"s":"${'['.repeat(100)}"}`, 1)).toBe(false);
    expect(deeperThan(`{"s":"\\"${'['.repeat(100)}"}`, 1)).toBe(false); // an escaped quote does not end the string
    expect(deeperThan(`{"s":"\\\\",${'['.repeat(3)}`, 3)).toBe(true); // an escaped backslash does
    expect(jsonShapeProblem(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(jsonShapeProblem(nested(MAX_JSON_DEPTH + 1))).toMatch(/more than 32 deep/);
  });

  it('counts every array and object, however shallow: many of them cost JSON.parse as much as depth', () => {
    const shallow = (n: number) => `[${Array(n).fill('[[]]').join(',')}]`; // 1 + 2n containers, depth 3
    expect(jsonShapeProblem(shallow((MAX_JSON_CONTAINERS - 2) / 2))).toBeUndefined(); // 1,023
    expect(jsonShapeProblem(shallow(MAX_JSON_CONTAINERS / 2))).toMatch(/more than 1,024 arrays and objects/);
    // Strings and numbers are not containers: a body of 500 token IDs is two.
    expect(jsonShapeProblem(JSON.stringify({ tokenIds: Array(500).fill('tok-00000001') }))).toBeUndefined();
  });
});

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`what a caller without the key can make serve do, on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    const recorder = new ResultRecorder();
    let svc: Service;
    let key: string;

    beforeAll(async () => {
      await applyManifests(fresh.database, {
        full: manifest('full', TOKENS + KEYED),
        revoked: manifest('revoked', TOKENS + KEYED),
        walled: manifest('walled', TOKENS + KEYED),
      });
      key = await reveal(fresh.database, 'full');
      const ids = Array.from({ length: 1_500 }, (_, i) => `tok-${String(i).padStart(8, '0')}`).join('\n');
      await importTokens(fresh.database.db, 'full', 'ids.txt', ids);
      // The service sees the database through a recorder of what each statement returned.
      svc = await startService({ ...fresh.database, db: fresh.database.db.withPlugin(recorder) });
    });
    afterAll(() => svc?.close());

    it('a Token API body is not parsed before the key: broken JSON without the key is the one 401, with it a 400', async () => {
      for (const [method, url] of [
        ['POST', '/v1/projects/full/tokens'],
        ['POST', '/v1/projects/full/tokens/import'],
        ['DELETE', '/v1/projects/full/tokens'],
        ['POST', '/v1/projects/no-such-project/tokens'],
      ]) {
        for (const body of ['{"tokenIds": [', nested(100_000)]) {
          const unkeyed = await send(svc.base, method, url, body, 'argos_wrong');
          expect({ url, status: unkeyed.status, code: unkeyed.body.code }).toEqual({
            url,
            status: 401,
            code: 'invalid_api_key',
          });
        }
      }
      const keyed = await send(svc.base, 'POST', '/v1/projects/full/tokens', '{"tokenIds": [', key);
      expect([keyed.status, keyed.body.code]).toEqual([400, 'invalid_payload']);
    });

    it('a body sent where no route takes it is not read: 404 and the connection closed, whatever the body', async () => {
      for (const [method, url] of [
        ['PATCH', '/v1/projects/full/tokens'],
        ['PUT', '/v1/projects/full/tokens'],
        ['POST', '/v1/projects/full/tokens/count'],
        ['POST', '/v1/nothing'],
      ]) {
        const res = await fetch(svc.base + url, {
          method,
          headers: { 'content-type': 'application/json' },
          body: '{"tokenIds": [',
        });
        const body = (await res.json()) as { code: string };
        expect({ url, method, status: res.status, code: body.code, connection: res.headers.get('connection') }).toEqual(
          {
            url,
            method,
            status: 404,
            code: 'not_found',
            connection: 'close',
          },
        );
      }
    });

    it('a body declared larger than the route takes is 413 before a byte is read, key or not; a refused key closes the connection', async () => {
      const declared = async (url: string, length: number, key?: string) => {
        // The headers alone, a large Content-Length, and only a few bytes: the answer must not wait for the rest.
        const { request } = await import('node:http');
        return new Promise<{ status: number; connection?: string }>((resolve, reject) => {
          const req = request(svc.base + url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'content-length': String(length),
              ...(key ? { 'x-api-key': key } : {}),
            },
          });
          req.on('response', (res) => {
            res.resume();
            resolve({ status: res.statusCode!, connection: res.headers.connection });
            req.destroy();
          });
          req.on('error', reject);
          req.write('{"tokenIds": [');
        });
      };
      expect(await declared('/v1/projects/full/tokens', 64 * 1024 * 1024)).toEqual({
        status: 413,
        connection: 'close',
      });
      expect(await declared('/v1/projects/full/tokens', 64 * 1024 * 1024, key)).toEqual({
        status: 413,
        connection: 'close',
      });
      expect(await declared('/v1/liveform/check', ADMISSION_BODY_LIMIT + 1)).toEqual({
        status: 413,
        connection: 'close',
      });
      expect(await declared('/v1/projects/full/tokens', 1000, 'argos_wrong')).toEqual({
        status: 401,
        connection: 'close',
      });
    });

    it(`a JSON body deeper than ${MAX_JSON_DEPTH} levels is refused before it is parsed; ${MAX_JSON_DEPTH} is parsed`, async () => {
      const deep = await send(svc.base, 'POST', '/v1/projects/full/tokens', nested(MAX_JSON_DEPTH + 1), key);
      expect([deep.status, deep.body.code]).toEqual([400, 'invalid_payload']);
      expect(deep.body.message).toMatch(/more than 32 deep/);
      // At the limit the parser reads it; the schema then refuses an array where an object belongs.
      const atLimit = await send(svc.base, 'POST', '/v1/projects/full/tokens', nested(MAX_JSON_DEPTH), key);
      expect([atLimit.status, atLimit.body.code]).toEqual([400, 'invalid_payload']);
      expect(atLimit.body.message).not.toMatch(/deep/);
      // The routes without a path project (their key is known only from the body or the session) too.
      const check = await send(svc.base, 'POST', '/v1/liveform/check', nested(MAX_JSON_DEPTH + 1));
      expect([check.status, check.body.message]).toEqual([400, expect.stringMatching(/more than 32 deep/)]);
      // Prototype keys are still refused (Fastify's own parser behind the depth check).
      const proto = await send(svc.base, 'POST', '/v1/projects/full/tokens', '{"__proto__": {"x": 1}}', key);
      expect(proto.status).toBe(400);
    });

    it('the Liveform routes read no more body than they can hold: /complete 1 KiB, /start and /check 96 KiB', async () => {
      const session = '00000000-0000-4000-8000-000000000000';
      const completeBody = JSON.stringify({ result: 'approved', pad: 'x'.repeat(COMPLETE_BODY_LIMIT) });
      const complete = await send(svc.base, 'POST', `/v1/liveform/sessions/${session}/complete`, completeBody);
      expect(complete.status).toBe(413);
      const big = JSON.stringify({
        pid: 'full',
        token: 'tok-00000001',
        params: { x: 'y'.repeat(ADMISSION_BODY_LIMIT) },
      });
      for (const route of ['/v1/liveform/start', '/v1/liveform/check'])
        expect({ route, status: (await send(svc.base, 'POST', route, big)).status }).toEqual({ route, status: 413 });
      // Encrypted parameters of the schema's largest (64 KiB) still fit.
      const largest = JSON.stringify({ pid: 'full', encrypted: `gcm.000000000000.${'A'.repeat(65_536 - 17)}` });
      const started = await send(svc.base, 'POST', '/v1/liveform/start', largest);
      expect([started.status, started.body.code]).toEqual([403, 'encrypted_invalid']);
    });

    it('a key revoked, or a whitelist added, while a body is arriving applies to it: the row read before the body is read again', async () => {
      const pause = () => new Promise((r) => setTimeout(r, 300)); // past the 50 ms the early row is trusted
      const revokedKey = await reveal(fresh.database, 'revoked');
      const revoked = slowPost(svc.base, '/v1/projects/revoked/tokens', revokedKey, '{"tokenIds": ["late-00000001"]}');
      await pause();
      await applyManifests(fresh.database, { revoked: manifest('revoked', TOKENS) }); // every key revoked
      revoked.finish();
      expect(await revoked.answer).toBe(401);
      const walledKey = await reveal(fresh.database, 'walled');
      const walled = slowPost(svc.base, '/v1/projects/walled/tokens', walledKey, '{"tokenIds": ["late-00000002"]}');
      await pause();
      await applyManifests(fresh.database, { walled: manifest('walled', TOKENS + KEYED + WALL) }); // 127.0.0.1 outside
      walled.finish();
      expect(await walled.answer).toBe(403);
      const late = await fresh.database.db
        .selectFrom('tokens')
        .select('token_id')
        .where('token_id', 'like', 'late-%')
        .execute();
      expect(late).toEqual([]);
    });

    it('an answer given from the headers closes the connection instead of reading the declared body', async () => {
      const head = (line: string, length: number, extra = '') =>
        `${line} HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n${extra}\r\n`;
      // A GET route answers from the headers (its key is checked in its statement), whatever the body declared.
      expect(await headersOnly(svc.base, head('GET /v1/projects/full/tokens/count', 60_000_000))).toEqual({
        status: 401,
        closed: true,
      });
      // A write with a wrong key, its body within the limit but not sent.
      expect(
        await headersOnly(svc.base, head('POST /v1/projects/full/tokens', 500_000, 'x-api-key: argos_wrong\r\n')),
      ).toEqual({ status: 401, closed: true });
    });

    it('Expect: 100-continue is answered "100 Continue" only once the body may be read: a wrong key gets its 401 first', async () => {
      const head = (k: string, body: string, expect = 'expect: 100-continue\r\n', version = '1.1') =>
        `POST /v1/projects/full/tokens HTTP/${version}\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${expect}x-api-key: ${k}\r\n\r\n`;
      expect(await headersOnly(svc.base, head('argos_wrong', 'x'.repeat(500_000)))).toEqual({
        status: 401,
        closed: true,
      });
      /** The status lines a client sees that sends its body on "100 Continue" (or at once: `eager`). */
      const exchange = (request: string, body: string, eager = false) => {
        const socket = connect(Number(new URL(svc.base).port), '127.0.0.1');
        let data = '';
        let sent = eager;
        const answered = new Promise<string[]>((resolve) =>
          socket.on('data', (d) => {
            data += d.toString('latin1');
            if (/^HTTP\/1\.1 100/.test(data) && !sent) {
              sent = true;
              socket.write(body);
            }
            if (/HTTP\/1\.1 [2-5]\d\d/.test(data)) {
              socket.destroy();
              resolve(data.match(/HTTP\/1\.1 \d{3}/g) ?? []);
            }
          }),
        );
        socket.write(eager ? request + body : request);
        return answered;
      };
      let n = 0;
      const body = () => `{"tokenIds": ["cont-${String(++n).padStart(8, '0')}"]}`;
      // With the key: "100 Continue", then the body, then the answer; also for the spellings Node
      // reads as a request to continue (capitals, the header twice, an extension).
      for (const expectHeader of [
        'expect: 100-continue\r\n',
        'Expect: 100-Continue\r\n',
        'expect: 100-continue\r\nexpect: 100-continue\r\n',
        'expect: 100-continue;x=1\r\n',
      ]) {
        const b = body();
        expect(await exchange(head(key, b, expectHeader), b)).toEqual(['HTTP/1.1 100', 'HTTP/1.1 200']);
      }
      // An HTTP/1.0 client is never sent a 100 (it sends its body at once).
      const b = body();
      expect(await exchange(head(key, b, 'expect: 100-continue\r\n', '1.0'), b, true)).toEqual(['HTTP/1.1 200']);
    });

    it('a malformed project id in a write route is a 400 before any lookup, never a 500', async () => {
      for (const method of ['POST', 'DELETE']) {
        const r = await call(svc.base, method, '/v1/projects/a%00b/tokens', { body: { tokenIds: ['tok-00000001'] } });
        expect({ method, status: r.status, code: r.body.code }).toEqual({
          method,
          status: 400,
          code: 'invalid_payload',
        });
      }
      expect(svc.logs.join('\n')).not.toMatch(/"level":"error"/);
    });

    it('the list route builds no page for a caller it refuses; the key holder gets the page', async () => {
      const url = '/v1/projects/full/tokens?limit=1000';
      const tokensRead = () =>
        recorder.rows.reduce((n, row) => {
          const page = (row as { page?: unknown }).page;
          return n + (Array.isArray(page) ? page.length : 0);
        }, 0);
      for (const k of [undefined, 'argos_wrong']) {
        recorder.rows = [];
        const r = await call(svc.base, 'GET', url, { key: k });
        expect([r.status, r.body.code]).toEqual([401, 'invalid_api_key']);
        expect(tokensRead()).toBe(0);
      }
      recorder.rows = [];
      const ok = await call(svc.base, 'GET', url, { key });
      expect([ok.status, (ok.body.tokens as unknown[]).length]).toEqual([200, 1000]);
      expect(tokensRead()).toBe(1001); // the page and the row past it, which says there is a next page
    });
  });
}
