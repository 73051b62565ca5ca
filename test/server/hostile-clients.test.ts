// The service against hostile clients, over real sockets on 127.0.0.1: a body sent a byte at a time
// is cut off by the request timeout; one address cannot hold more than its connections while
// another still gets /healthz; the total cap; a forwarded client behind --trust-proxy is capped on
// requests in progress; routes without a key answer 429 past the rate limit; an unknown project,
// a wrong and a missing key all answer the same 401; /check and /complete need the project's key.
import net from 'node:net';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { applyManifests, call, manifest, reveal, startService, type Service } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

const KEYED = '  security:\n    apiKey: { rotation: 1 }\n';
const TOKENS = '  liveform:\n    tokens: { preRegistration: true }\n';

/** A raw connection from `localAddress`, with everything it received and whether it is closed. */
async function connect(base: string, localAddress = '127.0.0.1') {
  const { port } = new URL(base);
  const socket = net.connect({ host: '127.0.0.1', port: Number(port), localAddress });
  const state = { socket, received: '', closed: false };
  socket.on('data', (d) => (state.received += d));
  socket.on('error', () => {});
  socket.on('close', () => (state.closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return state;
}

/** GET from a chosen local address (127.0.0.0/8 is all loopback), on a fresh connection. */
function getFrom(base: string, path: string, localAddress: string, headers: Record<string, string> = {}) {
  const { port } = new URL(base);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: Number(port), path, localAddress, agent: false, headers },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * Behind a proxy at 127.0.0.1 whose cap is 2 requests in progress per client: two slow requests
 * forwarded for `holders` are held open, then a request forwarded for `refused` must get 503
 * too_many_connections while one for `other` passes.
 */
async function expectRequestCap(base: string, holders: [string, string], refused: string, other: string) {
  const viaProxy = (client: string) =>
    `POST /v1/liveform/start HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ${client}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{`;
  const held = [await connect(base), await connect(base)];
  held.forEach((h, i) => h.socket.write(viaProxy(holders[i])));
  // the two slow requests are in progress once the server has them (a third waits for that)
  await waitFor(`a request for ${refused} to be refused`, async () => {
    const r = await getFrom(base, '/healthz', '127.0.0.1', { 'x-forwarded-for': refused });
    return r.status === 503 && r.body.includes('too_many_connections');
  });
  expect((await getFrom(base, '/healthz', '127.0.0.1', { 'x-forwarded-for': other })).status).toBe(200);
  for (const h of held) h.socket.destroy();
}

const slowStart = (pid = 'open') =>
  `POST /v1/liveform/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"pid":"${pid}"`;

describe('hostile clients at the socket (embedded database)', () => {
  const fresh = useFreshDatabase(DATABASE_TARGETS[0]);
  const services: Service[] = [];
  const serve = async (options: Parameters<typeof startService>[1]) => {
    const svc = await startService(fresh.database, options);
    services.push(svc);
    return svc;
  };
  beforeAll(async () => {
    await applyManifests(fresh.database, { open: manifest('open', '') });
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.close()));
  });

  it('a body sent one byte at a time is cut off by --request-timeout (408, connection closed)', async () => {
    const svc = await serve({ limits: { requestTimeoutMs: 1000, headersTimeoutMs: 1000 } });
    const slow = await connect(svc.base);
    slow.socket.write(slowStart());
    const drip = setInterval(() => {
      if (!slow.closed) slow.socket.write(' ');
    }, 150);
    try {
      await waitFor('the server to close the slow connection', () => slow.closed);
    } finally {
      clearInterval(drip);
    }
    expect(slow.received === '' || slow.received.startsWith('HTTP/1.1 408')).toBe(true);
    expect((await call(svc.base, 'GET', '/healthz')).status).toBe(200);
  });

  it('the per-client cap refuses the N+1th connection of one address (503) while another address gets /healthz', async () => {
    const svc = await serve({ limits: { maxConnectionsPerClient: 3 } });
    const held = [await connect(svc.base), await connect(svc.base), await connect(svc.base)];
    for (const h of held) h.socket.write(slowStart()); // three slow requests in progress
    const refused = await connect(svc.base);
    await waitFor('the refusal', () => refused.closed);
    expect(refused.received).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused.received).toContain('"code":"too_many_connections"');
    expect(await getFrom(svc.base, '/healthz', '127.0.0.2')).toEqual({ status: 200, body: '{"ok":true}' });
    for (const h of held) h.socket.destroy();
    await waitFor('the address to be free again', async () => {
      const again = await getFrom(svc.base, '/healthz', '127.0.0.1').catch(() => ({ status: 0 }));
      return again.status === 200;
    });
    const metrics = await getFrom(svc.base, '/metrics', '127.0.0.3');
    expect(metrics.body).toMatch(/argos_connections_refused_total\{reason="per-client"\} [1-9]/);
  });

  it('--max-connections refuses a new connection from any address once the total is held', async () => {
    const svc = await serve({ limits: { maxConnections: 2 } });
    const held = [await connect(svc.base, '127.0.0.4'), await connect(svc.base, '127.0.0.5')];
    const refused = await connect(svc.base, '127.0.0.6');
    await waitFor('the refusal', () => refused.closed);
    expect(refused.received).toMatch(/^HTTP\/1\.1 503 [\s\S]*too_many_connections/);
    for (const h of held) h.socket.destroy();
  });

  it('behind --trust-proxy the cap counts requests in progress per forwarded client, not the proxy', async () => {
    const svc = await serve({ trustProxy: ['127.0.0.1/32'], limits: { maxConnectionsPerClient: 2 } });
    await expectRequestCap(svc.base, ['198.51.100.7', '198.51.100.7'], '198.51.100.7', '198.51.100.8');
  });

  it('routes without a key answer 429 rate_limited past --rate-limit, per client address', async () => {
    const svc = await serve({ trustProxy: ['127.0.0.1/32'], limits: { rateLimitPerMinute: 3 } });
    const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < 3; i++) expect((await call(svc.base, 'GET', '/healthz', from('203.0.113.1'))).status).toBe(200);
    const limited = await call(svc.base, 'GET', '/healthz', from('203.0.113.1'));
    expect([limited.status, limited.body.code]).toEqual([429, 'rate_limited']);
    expect((await call(svc.base, 'GET', '/healthz', from('203.0.113.2'))).status).toBe(200);
    const start = (ip: string) => call(svc.base, 'POST', '/v1/liveform/start', { body: { pid: 'open' }, ...from(ip) });
    for (let i = 0; i < 3; i++) expect((await start('203.0.113.3')).status).toBe(200);
    expect((await start('203.0.113.3')).body.code).toBe('rate_limited');
    // the Token API needs a key: not rate-limited here
    for (let i = 0; i < 5; i++)
      expect((await call(svc.base, 'GET', '/v1/projects/open/tokens/count', from('203.0.113.4'))).status).toBe(401);
  });

  it('an IPv6 client is limited by its /64: taking turns with the addresses of one /64 passes neither the rate limit nor the request cap', async () => {
    const svc = await serve({ trustProxy: ['127.0.0.1/32'], limits: { rateLimitPerMinute: 3 } });
    const start = (ip: string) =>
      call(svc.base, 'POST', '/v1/liveform/start', { body: { pid: 'open' }, headers: { 'x-forwarded-for': ip } });
    const statuses: number[] = [];
    for (const ip of [
      '2001:db8:1:2::1',
      '2001:db8:1:2::2',
      '2001:db8:1:2::abcd:1',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
      '2001:0db8:0001:0002:0:0:0:5',
    ])
      statuses.push((await start(ip)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await start('2001:db8:1:3::1')).status).toBe(200); // another /64
    expect((await start('::ffff:203.0.113.9')).status).toBe(200); // IPv4 addresses stay one each
    expect((await start('203.0.113.10')).status).toBe(200);

    const capped = await serve({ trustProxy: ['127.0.0.1/32'], limits: { maxConnectionsPerClient: 2 } });
    await expectRequestCap(capped.base, ['2001:db8:9:9::a', '2001:db8:9:9::b'], '2001:db8:9:9::c', '2001:db8:9:a::c');
  });
});

describe('serve limit flags', () => {
  it('refuse values out of range with one line naming the flag, before opening anything', async () => {
    const cases: [string[], RegExp][] = [
      [['--request-timeout', '0'], /--request-timeout.*at least 1s/],
      [['--headers-timeout', '1ms'], /--headers-timeout/],
      [['--max-connections', '0'], /--max-connections.*from 1/],
      [['--max-connections-per-client', '-3'], /--max-connections-per-client/],
      [['--rate-limit', '1e9'], /--rate-limit.*whole number/],
      [['--body-limit', '10GiB'], /--body-limit.*1024 bytes to 64MiB/],
      [['--session-retention', '5m'], /--session-retention.*at least 1h/],
      [['--event-retention', '30m'], /--event-retention.*at least 1h/],
    ];
    for (const [args, says] of cases) {
      const r = await runCliInProcess(['serve', ...args, '--database-url', 'memory:'], { cwd: tempDir() });
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr).toMatch(says);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });
});

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`one 401 and keyed backend routes on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let svc: Service;
    let key: string;
    let otherKey: string;
    beforeAll(async () => {
      await applyManifests(fresh.database, {
        shop: manifest('shop', TOKENS.replace('true', 'false') + KEYED),
        walled: manifest('walled', `${KEYED}    ipWhitelist: { api: [10.0.0.0/8] }\n`),
        other: manifest('other', KEYED),
      });
      key = await reveal(fresh.database, 'shop');
      otherKey = await reveal(fresh.database, 'other');
      svc = await startService(fresh.database);
    });
    afterAll(() => svc?.close());

    it('an unknown project, a wrong key, a missing key and a walled project answer the very same 401', async () => {
      const answers = await Promise.all([
        call(svc.base, 'GET', '/v1/projects/no-such-project/tokens/count', { key }),
        call(svc.base, 'GET', '/v1/projects/NoSuchProject/tokens/count', { key: 'argos_wrong' }),
        call(svc.base, 'GET', '/v1/projects/shop/tokens/count', { key: 'argos_wrong' }),
        call(svc.base, 'GET', '/v1/projects/shop/tokens/count', {}),
        call(svc.base, 'GET', '/v1/projects/walled/tokens/count', { key: 'argos_wrong' }), // outside its whitelist
      ]);
      for (const a of answers) expect(a).toEqual(answers[0]);
      expect(answers[0]).toMatchObject({ status: 401, body: { code: 'invalid_api_key' } });
      expect((await call(svc.base, 'GET', '/v1/projects/shop/tokens/count', { key })).status).toBe(200);
    });

    it('/v1/liveform/check needs the project key: none, wrong or another project’s is 401', async () => {
      const body = { pid: 'shop', token: 'walk-in-7' };
      for (const k of [undefined, 'argos_wrong', otherKey]) {
        const r = await call(svc.base, 'POST', '/v1/liveform/check', { body, key: k });
        expect([r.status, r.body.code]).toEqual([401, 'invalid_api_key']);
      }
      const unknown = await call(svc.base, 'POST', '/v1/liveform/check', { body: { pid: 'ghost' }, key });
      expect([unknown.status, unknown.body.code]).toEqual([401, 'invalid_api_key']);
      const ok = await call(svc.base, 'POST', '/v1/liveform/check', { body, key });
      expect(ok).toMatchObject({ status: 200, body: { admitted: true, dryRun: true } });
    });

    it('/complete needs the key of the session’s project; an unknown session answers the same 401; /start stays open', async () => {
      const started = await call(svc.base, 'POST', '/v1/liveform/start', { body: { pid: 'shop', token: 'walk-in-8' } });
      expect(started.status).toBe(200);
      const url = `/v1/liveform/sessions/${started.body.sessionId}/complete`;
      const refusals = [
        await call(svc.base, 'POST', url, { body: { result: 'approved' } }),
        await call(svc.base, 'POST', url, { body: { result: 'approved' }, key: otherKey }),
        await call(svc.base, 'POST', '/v1/liveform/sessions/00000000-0000-4000-8000-00000000dead/complete', {
          body: { result: 'approved' },
          key,
        }),
        await call(svc.base, 'POST', '/v1/liveform/sessions/not-a-uuid/complete', {
          body: { result: 'approved' },
          key,
        }),
      ];
      for (const r of refusals) expect(r).toEqual(refusals[0]);
      expect(refusals[0]).toMatchObject({ status: 401, body: { code: 'invalid_api_key' } });
      expect(await call(svc.base, 'POST', url, { body: { result: 'approved' }, key })).toEqual({
        status: 200,
        body: { sessionId: started.body.sessionId, result: 'approved' },
      });
    });
  });
}
