// `npm run bench:serve`: load on every route of `serve` over PostgreSQL, next to a floor measured in
// the same run (a bare Fastify route doing one SELECT round trip on the same pool), with serve's
// default limits on and the clients spread over 4,096 addresses behind --trust-proxy.
//   floor-write: the same stack doing one single-row UPDATE that commits
//   floor-page: the same stack reading and sending the list route's page (100 tokens after a cursor)
//   floor-batch: the same stack inserting the register route's body (500 new IDs) in one statement
//   count, get, list: GET …/tokens/count, …/tokens/{id}, …/tokens?after=…&limit=100 (200,000 tokens)
//   check:     POST /v1/liveform/check (the dry run), on tokens not yet used
//   admission: POST /v1/liveform/start, every request a different registered count-based token
//   complete:  POST /v1/liveform/sessions/{id}/complete, every request a different open session
//   register, import: POST …/tokens and …/tokens/import in 500-ID batches, 8 connections
//   delete:    DELETE …/tokens, one registered ID each time
//   cap:       8 concurrent registrants pushing past 100,000: the count never passes the cap
// Each single-request route runs twice: as fast as it answers (its requests/s), then offered the
// goal's load, goal ratio × its floor's requests/s, each request sent at its time (its p99 there,
// `atGoalRate`; route-summary.ts says why the goal's p99 is judged at that load).
// `routes` at the end: each route's requests/s as a ratio to the floor's, and its goal. With
// `--rounds N`, N such runs and the median of each route's ratios (one run's ratio moves by about
// ±15% on a shared machine).
// autocannon runs in a child process (load-client.ts), so the figures below are the server's own.
// Besides requests/s and latency (which depend on what else the machine runs), each phase reports
// figures that do not: the server process's CPU per request, the PostgreSQL backends' CPU per
// request (this database's connections, read from /proc) and the statements sent per request.
import { execFile } from 'node:child_process';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import os from 'node:os';
import Fastify from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { migrateToLatest, openDatabase, type Database } from '../db/connection.js';
import { buildServer } from '../server/app.js';
import { lineSink } from '../server/log-sink.js';
import { registerTokens } from '../tokens/token-store.js';
import {
  BENCH_PG as PG,
  backendCpu,
  benchProject,
  flag as arg,
  freshDatabase,
  storedAndCounted,
} from './bench-database.js';
import type { Phase } from './load-client.js';
import { loadProcess as loadClient } from './load-process.js';
import { roundsSummary } from './route-rounds.js';
import { type AtRate, goalRate, routeSummary, type RouteVerdict } from './route-summary.js';

const SECONDS = Number(arg('seconds', '10'));
const CONNECTIONS = Number(arg('connections', '32'));
/** Connections sending a body a byte a second during the run, each from its own forwarded address. */
const SLOW_CLIENTS = Number(arg('slow-clients', '0'));
const execFileAsync = promisify(execFile);
const ALL_PHASES =
  'floor,floor-write,floor-page,floor-batch,count,get,list,check,admission,complete,register,import,delete,cap';
const ONLY = arg('only', ALL_PHASES).split(',');
const MASTER = randomBytes(32);
/** Every phase's clients come from this many addresses (X-Forwarded-For, behind --trust-proxy). */
const ADDRESSES = 4096;

/** What a route did when offered its goal's load. */
const atGoalRateOf = (offered: number, r: Omit<AtRate, 'offered'>): AtRate => ({
  offered,
  rps: r.rps,
  p50: r.p50,
  p99: r.p99,
  non2xx: r.non2xx,
});

const project = (database: Database, id: string, expiration: 'count' | 'none') =>
  benchProject(database, id, { expiration }, MASTER);

async function main(): Promise<void> {
  const fresh = await freshDatabase();
  let queries = 0;
  const database = await openDatabase(fresh.url, {
    poolSize: Number(arg('pool', '16')),
    namedStatements: arg('named', 'yes') === 'yes',
    onQuery: () => {
      queries++;
    },
  });
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  const client = loadClient();
  // Request logs go where `serve` sends them (one line per request), here to /dev/null.
  const sink = lineSink(openSync('/dev/null', 'w'));
  try {
    await migrateToLatest(database.db);
    // As behind a load balancer: the clients' addresses come in X-Forwarded-For from 127.0.0.1, so the
    // per-client limits (on by default) apply to each of many clients, not to the bench as one.
    // --traffic-facts no: serve --no-traffic-facts, to measure what counting costs.
    const trafficFacts = arg('traffic-facts', 'yes') === 'yes' ? {} : (false as const);
    const { app } = await buildServer(database, {
      log: sink.write,
      trustProxy: ['127.0.0.1/32'],
      masterKey: () => MASTER,
      trafficFacts,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    // autocannon ends a fixed-amount run at its next 1-second tick: the server's own clock (first
    // request in, last response out) times the register phases instead.
    const span = { first: 0, last: 0 };
    const timeSpan = (server: typeof app.server) =>
      server.on('request', (_req, res) => {
        span.first ||= performance.now();
        res.on('finish', () => {
          span.last = performance.now();
        });
      });
    timeSpan(app.server);

    // Floor: one SELECT round trip per request through the same pool and the same HTTP stack.
    const floorApp = Fastify({ logger: false });
    floorApp.post(
      '/floor',
      async () => (await sql`select id from projects where id = 'adm'`.execute(database.db)).rows,
    );
    // Write floor: one single-row UPDATE that commits (the WAL flush admission cannot skip), on the
    // 50,000 tokens the admission phase does not reach, in turn. Every request must write its row: an
    // UPDATE that finds none commits without a WAL flush, several times as fast, and the floor used to
    // run out of fresh tokens after 50,000 requests (8 s in the machine's fast state), so its figure
    // there was part no-op. A request that writes no row is now an error, counted as non-2xx.
    const FLOOR_TOKENS = 50_000;
    let nextWrite = 0;
    floorApp.post('/floor-write', async () => {
      const token = `adm-${String(150_000 + (nextWrite++ % FLOOR_TOKENS)).padStart(8, '0')}`;
      const { numAffectedRows } = await sql`update tokens set first_used_at = now(), expired_at = now()
        where project_id = 'adm' and token_id = ${token}`.execute(database.db);
      if (numAffectedRows !== 1n) throw new Error(`floor-write updated ${numAffectedRows} rows of ${token}`);
      return '1';
    });
    // Page floor: the list route's page (the 100 tokens after a cursor, in registration order) with
    // one prepared SELECT, sent as the rows come (no authorization, no reshaping). Times as epoch
    // milliseconds, the form the driver reads cheapest (a timestamptz is parsed from text into a Date).
    floorApp.get<{ Querystring: { after: string } }>('/floor-page', async (request) => {
      const [t, id] = JSON.parse(Buffer.from(request.query.after, 'base64url').toString()) as [string, string];
      const { rows } = await sql`select token_id, (extract(epoch from registered_at) * 1000)::float8 as registered_ms,
          (extract(epoch from first_used_at) * 1000)::float8 as first_used_ms,
          (extract(epoch from expires_at) * 1000)::float8 as expires_ms,
          expired_at is not null as expired, completed_at is not null as completed
        from tokens where project_id = 'adm' and (registered_at, token_id) > (${t}::timestamptz, ${id})
        order by registered_at, token_id limit 100`.execute(database.db);
      return rows;
    });
    // Batch floor: the register route's body (500 IDs never sent before) inserted in one committing
    // statement, with none of the route's checks (the IDs' format, the project, the cap and its counter).
    floorApp.post<{ Body: { tokenIds: string[] } }>('/floor-batch', async (request) => {
      const { numAffectedRows } = await sql`insert into tokens (project_id, token_id)
        select 'fb', unnest(cast(${request.body.tokenIds} as text[]))`.execute(database.db);
      if (numAffectedRows !== 500n) throw new Error(`floor-batch inserted ${numAffectedRows} rows`);
      return '1';
    });
    await floorApp.listen({ host: '127.0.0.1', port: 0 });
    timeSpan(floorApp.server);
    const floorBase = `http://127.0.0.1:${(floorApp.server.address() as { port: number }).port}`;

    const measure = async (phase: Omit<Phase, 'seconds' | 'connections'> & { connections?: number }) => {
      const q0 = queries;
      const cpu0 = process.cpuUsage();
      const pg0 = await backendCpu(admin, fresh.name);
      span.first = 0;
      const r = await client.run({
        seconds: SECONDS,
        connections: CONNECTIONS,
        ...(SLOW_CLIENTS ? { probeHealthz: base } : {}),
        ...phase,
      });
      if (phase.amount) r.seconds = Math.round(span.last - span.first) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const pg1 = await backendCpu(admin, fresh.name);
      let pgSeconds = 0;
      for (const [pid, s] of pg1) pgSeconds += s - (pg0.get(pid) ?? 0);
      const n = r.ok + r.non2xx;
      return {
        ...r,
        serverCpuUsPerRequest: Math.round((cpu.user + cpu.system) / n),
        serverSystemUsPerRequest: Math.round(cpu.system / n),
        pgCpuUsPerRequest: Math.round((pgSeconds * 1e6) / n),
        statementsPerRequest: Math.round(((queries - q0) / n) * 100) / 100,
      };
    };

    const results: Record<string, unknown> = {};
    const admKey = await project(database, 'adm', 'count');
    const ADMISSION_TOKENS = 200_000;
    for (let i = 0; i < ADMISSION_TOKENS; i += 100_000) {
      // Two fills past the cap, for long runs.
      await sql`delete from token_counts where project_id = 'adm'`.execute(database.db);
      const fill = Array.from({ length: 100_000 }, (_, j) => `adm-${String(i + j).padStart(8, '0')}`);
      await registerTokens(database.db, 'adm', fill);
    }
    // Open sessions for the complete route (one per request), as /start leaves them.
    await sql`insert into liveform_sessions (id, project_id, token_id, pre_registered, started_at)
      select ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'adm', null, false, now()
      from generate_series(0, 99999) as i`.execute(database.db);
    const delKey = await project(database, 'del', 'none');
    await registerTokens(
      database.db,
      'del',
      Array.from({ length: 100_000 }, (_, j) => `del-${String(j).padStart(8, '0')}`),
    );
    await sql`vacuum analyze`.execute(database.db);
    if (SLOW_CLIENTS) client.slow(base, SLOW_CLIENTS);
    // A floor, then the same floor offered half its own rate: its p99 where it is not saturated, the
    // latency this machine gives a request that does nothing else (the reference for the 25 ms goal).
    const bare = async (phase: Omit<Phase, 'seconds' | 'connections'>) => {
      const saturated = await measure(phase);
      const half = await measure({ ...phase, rate: Math.round(saturated.rps / 2) });
      return {
        ...saturated,
        atHalfRate: { offered: Math.round(saturated.rps / 2), rps: half.rps, p50: half.p50, p99: half.p99 },
      };
    };
    const postTo = (path: string) =>
      ({ url: `${floorBase}${path}`, method: 'POST', body: { kind: 'none' }, clientAddresses: ADDRESSES }) as const;
    const keyed = (key: string) => ({ 'content-type': 'application/json', 'x-api-key': key });
    type ApiPhase = Omit<Phase, 'seconds' | 'connections' | 'clientAddresses'> & { connections?: number };
    const api = (phase: ApiPhase) => measure({ clientAddresses: ADDRESSES, ...phase });
    // A page of 100 from one of 1,000 places, each request: the cursors a client would hold.
    let cursorList: string[] | undefined;
    const cursors = async () => {
      if (cursorList) return cursorList;
      const { rows } = await sql<{ t: string; id: string }>`
        select registered_at::text as t, token_id as id from tokens where project_id = 'adm'
        order by registered_at, token_id`.execute(database.db);
      cursorList = Array.from({ length: 1000 }, (_, i) => {
        const r = rows[Math.floor((i * (rows.length - 100)) / 1000)];
        return Buffer.from(JSON.stringify([r.t, r.id])).toString('base64url');
      });
      return cursorList;
    };
    if (ONLY.includes('floor')) results.floorSelect = await bare(postTo('/floor'));
    if (ONLY.includes('floor-write')) results.floorWrite = await bare(postTo('/floor-write'));
    if (ONLY.includes('floor-page'))
      results.floorPage = await bare({
        url: floorBase,
        pathIds: { template: '/floor-page?after={id}', ids: 'given', count: 1000, values: await cursors() },
        method: 'GET',
        body: { kind: 'none' },
        clientAddresses: ADDRESSES,
      });
    // Each route twice: as fast as it answers (its requests/s), then offered the goal's load (its p99
    // there). A route that consumes what it is sent (tokens, sessions, IDs to delete) starts its second
    // phase past what the first one used.
    const route = async (key: string, phaseFrom: (from: number) => ApiPhase) => {
      const saturated = await api(phaseFrom(0));
      const rate = goalRate(key, results);
      if (!rate) return saturated;
      const used = saturated.ok + saturated.non2xx + saturated.errors + CONNECTIONS;
      const atRate = await api({ ...phaseFrom(used), rate });
      return { ...saturated, atGoalRate: atGoalRateOf(rate, atRate) };
    };
    if (ONLY.includes('count'))
      results.count = await route('count', () => ({
        url: `${base}/v1/projects/adm/tokens/count`,
        method: 'GET',
        headers: keyed(admKey),
        body: { kind: 'none' },
      }));
    if (ONLY.includes('get'))
      results.get = await route('get', () => ({
        url: base,
        pathIds: { template: '/v1/projects/adm/tokens/{id}', ids: 'token', prefix: 'adm', count: ADMISSION_TOKENS },
        method: 'GET',
        headers: keyed(admKey),
        body: { kind: 'none' },
      }));
    if (ONLY.includes('list')) {
      const values = await cursors();
      results.list = await route('list', () => ({
        url: base,
        pathIds: { template: '/v1/projects/adm/tokens?after={id}&limit=100', ids: 'given', count: 1000, values },
        method: 'GET',
        headers: keyed(admKey),
        body: { kind: 'none' },
      }));
    }
    if (ONLY.includes('check'))
      // Before admission, on the tokens it will use: every check answers "admitted" (a dry run).
      results.check = await route('check', () => ({
        url: `${base}/v1/liveform/check`,
        method: 'POST',
        headers: keyed(admKey),
        body: { kind: 'admission', pid: 'adm', prefix: 'adm', count: 150_000 },
      }));
    if (ONLY.includes('admission'))
      results.admission = await route('admission', (from) => ({
        url: `${base}/v1/liveform/start`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: { kind: 'admission', pid: 'adm', prefix: 'adm', from, count: 150_000 - from },
      }));
    if (ONLY.includes('complete'))
      results.complete = await route('complete', (from) => ({
        url: base,
        pathIds: { template: '/v1/liveform/sessions/{id}/complete', ids: 'session', from, count: 100_000 - from },
        method: 'POST',
        headers: keyed(admKey),
        body: { kind: 'json', value: { result: 'approved' } },
      }));
    // A 500-ID batch phase: 190 requests (95,000 IDs, under the cap so every request counts) on a
    // project of its own, timed by the server's clock.
    const batches = async (phase: Omit<ApiPhase, 'amount' | 'connections'>) => {
      const r = await api({ ...phase, connections: 8, amount: 190 });
      return { ...r, rps: Math.round(r.ok / r.seconds), idsPerSecond: Math.round((r.ok * 500) / r.seconds) };
    };
    if (ONLY.includes('floor-batch')) {
      await project(database, 'fb', 'none');
      const phase = {
        url: `${floorBase}/floor-batch`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: { kind: 'batch', prefix: 'fb' },
      } as const;
      const saturated = await batches(phase);
      // At half its rate: the latency of the fastest possible batch on this machine, the reference
      // for the batch routes' p99 (route-summary.ts).
      const half = await batches({ ...phase, rate: Math.round(saturated.rps / 2) });
      results.floorBatch = {
        ...saturated,
        atHalfRate: { offered: Math.round(saturated.rps / 2), rps: half.rps, p50: half.p50, p99: half.p99 },
      };
    }
    // Register and import: as fast as answered, then offered the goal's load on a second project.
    const batchRoute = async (key: 'register' | 'import', path: string) => {
      const phaseOn = async (pid: string) => ({
        url: `${base}/v1/projects/${pid}/tokens${path}`,
        method: 'POST' as const,
        headers: keyed(await project(database, pid, 'none')),
        body: key === 'register' ? { kind: 'batch' as const, prefix: pid } : { kind: 'import' as const, prefix: pid },
      });
      const saturated = await batches(await phaseOn(`${key}-1`));
      const rate = goalRate(key, results);
      if (!rate) return saturated;
      const atRate = await batches({ ...(await phaseOn(`${key}-2`)), rate });
      return { ...saturated, atGoalRate: atGoalRateOf(rate, atRate) };
    };
    if (ONLY.includes('register')) results.register = await batchRoute('register', '');
    if (ONLY.includes('import')) results.import = await batchRoute('import', '/import');
    if (ONLY.includes('delete'))
      results.delete = await route('delete', (from) => ({
        url: `${base}/v1/projects/del/tokens`,
        method: 'DELETE',
        headers: keyed(delKey),
        body: { kind: 'one-id', prefix: 'del', from, count: 100_000 - from },
      }));
    if (ONLY.includes('cap')) {
      const capKey = await project(database, 'cap', 'none');
      const r = await api({
        url: `${base}/v1/projects/cap/tokens`,
        method: 'POST',
        connections: 8,
        headers: keyed(capKey),
        body: { kind: 'batch', prefix: 'cap' },
        amount: 240, // 120,000 IDs offered
      });
      const { stored: n, counter: c } = await storedAndCounted(database, 'cap');
      results.cap = {
        offered: 240 * 500,
        accepted: r.ok * 500,
        refused: r.non2xx,
        stored: n,
        counter: c,
        capHeld: n <= 100_000 && n === c,
      };
    }
    results.routes = routeSummary(results);
    if (SLOW_CLIENTS) results.slowClients = await client.stopSlow();
    const machine = {
      cores: os.cpus().length,
      load: os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' '),
    };
    const report = {
      machine,
      connections: CONNECTIONS,
      seconds: SECONDS,
      clientAddresses: ADDRESSES,
      limits: 'serve defaults (service-limits.ts), --trust-proxy 127.0.0.1/32',
      slowClients: SLOW_CLIENTS,
      ...results,
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    await app.close();
    await floorApp.close();
  } finally {
    client.stop();
    sink.flush();
    await admin.end();
    await database.close();
    await fresh.drop();
  }
}

/**
 * `--rounds N`: N whole runs, one after the other, each in its own process with its own database
 * and floors; prints every round's verdicts and their medians (route-rounds.ts).
 */
async function rounds(n: number): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--rounds');
  args.splice(at, 2);
  const runs: { routes: RouteVerdict[]; machine: unknown }[] = [];
  for (let i = 1; i <= n; i++) {
    process.stderr.write(`bench:serve: round ${i} of ${n}\n`);
    const { stdout } = await execFileAsync(process.execPath, [fileURLToPath(import.meta.url), ...args], {
      maxBuffer: 64 * 1024 * 1024,
    });
    runs.push(JSON.parse(stdout) as { routes: RouteVerdict[]; machine: unknown });
  }
  const report = { rounds: n, runs, routes: roundsSummary(runs.map((r) => r.routes)) };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

const ROUNDS = Number(arg('rounds', '1'));
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds ${ROUNDS}: expected a whole number from 1`);
await (ROUNDS > 1 ? rounds(ROUNDS) : main());
