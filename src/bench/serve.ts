// `npm run bench:serve`: load on `serve` over PostgreSQL, next to a floor measured in the same run
// (a bare Fastify route doing one SELECT round trip on the same pool).
//   floor-write: the same stack doing one single-row UPDATE that commits
//   admission: POST /v1/liveform/start, every request a different registered count-based token
//   register:  POST /v1/projects/{pid}/tokens in 500-ID batches, 8 connections
//   cap:       8 concurrent registrants pushing past 100,000: the count never passes the cap
// autocannon runs in a child process (load-client.ts), so the figures below are the server's own.
// Besides requests/s and latency (which depend on what else the machine runs), each phase reports
// figures that do not: the server process's CPU per request, the PostgreSQL backends' CPU per
// request (this database's connections, read from /proc) and the statements sent per request.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest, openDatabase, type Database } from '../db/connection.js';
import { revealApiKey, syncApiKey } from '../keys/api-key.js';
import { buildServer } from '../server/app.js';
import { lineSink } from '../server/log-sink.js';
import { registerTokens } from '../tokens/token-store.js';
import type { Phase, PhaseResult, SlowReport } from './load-client.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const PG = process.env.ARGOS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(arg('seconds', '10'));
const CONNECTIONS = Number(arg('connections', '32'));
/** Connections sending a body a byte a second during the run, each from its own forwarded address. */
const SLOW_CLIENTS = Number(arg('slow-clients', '0'));
const ONLY = arg('only', 'floor,floor-write,admission,register,cap').split(',');
const MASTER = randomBytes(32);

async function freshDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `argos_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(PG);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function project(database: Database, id: string, expiration: 'count' | 'none'): Promise<string> {
  await database.db
    .insertInto('projects')
    .values({
      id,
      name: id,
      labels: '{}',
      status: 'TEST',
      submissions: 'normal',
      private_mode: false,
      token_pre_registration: true,
      token_expiration_mode: expiration,
      token_expiration_seconds: null,
      token_delete_on_expiration: false,
      token_volume_start_threshold: null,
      token_volume_ratio: null,
      token_volume_priority: null,
      encrypted_only: false,
      privacy_protection: false,
      secure_transmission: false,
      secure_transmission_public_key: null,
      api_key_rotation: 1,
    })
    .execute();
  await database.db.transaction().execute((tx) => syncApiKey(tx, id, 1, null, () => MASTER));
  return (await revealApiKey(database.db, id, 'bench', () => MASTER)).key;
}

/** CPU seconds (user + system) of the PostgreSQL backends serving one database, from /proc. */
async function backendCpu(admin: pg.Client, dbName: string): Promise<Map<number, number>> {
  const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [dbName]);
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks.set(pid, (Number(fields[11]) + Number(fields[12])) / 100); // utime, stime: clock ticks of 1/100 s
    } catch {
      /* the backend ended */
    }
  }
  return ticks;
}

function loadClient(): {
  run(phase: Phase): Promise<PhaseResult>;
  slow(base: string, count: number): void;
  stopSlow(): Promise<SlowReport>;
  stop(): void;
} {
  const child: ChildProcess = fork(fileURLToPath(new URL('./load-client.js', import.meta.url)));
  return {
    run: (phase) =>
      new Promise((resolve, reject) => {
        child.once('message', (m: { result?: PhaseResult; error?: string }) =>
          m.result ? resolve(m.result) : reject(new Error(m.error)),
        );
        child.send(phase);
      }),
    slow: (base, count) => child.send({ slow: { base, count } }),
    stopSlow: () =>
      new Promise((resolve) => {
        child.once('message', (m: { slow: SlowReport }) => resolve(m.slow));
        child.send({ slow: 'stop' });
      }),
    stop: () => child.kill(),
  };
}

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
    const { app } = await buildServer(database, { log: sink.write, trustProxy: ['127.0.0.1/32'], trafficFacts });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    // autocannon ends a fixed-amount run at its next 1-second tick: the server's own clock (first
    // request in, last response out) times the register phases instead.
    const span = { first: 0, last: 0 };
    app.server.on('request', (_req, res) => {
      span.first ||= performance.now();
      res.on('finish', () => {
        span.last = performance.now();
      });
    });

    // Floor: one SELECT round trip per request through the same pool and the same HTTP stack.
    const floorApp = Fastify({ logger: false });
    floorApp.post(
      '/floor',
      async () => (await sql`select id from projects where id = 'adm'`.execute(database.db)).rows,
    );
    // Write floor: one single-row UPDATE that commits (the WAL flush admission cannot skip), on
    // tokens the admission phase does not reach.
    let nextWrite = 150_000;
    floorApp.post('/floor-write', async () => {
      const token = `adm-${String(nextWrite++).padStart(8, '0')}`;
      const { numAffectedRows } = await sql`update tokens set first_used_at = now(), expired_at = now()
        where project_id = 'adm' and token_id = ${token} and expired_at is null`.execute(database.db);
      return String(numAffectedRows);
    });
    await floorApp.listen({ host: '127.0.0.1', port: 0 });
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
    await project(database, 'adm', 'count');
    const ADMISSION_TOKENS = 200_000;
    for (let i = 0; i < ADMISSION_TOKENS; i += 100_000) {
      // Two fills past the cap, for long runs.
      await sql`delete from token_counts where project_id = 'adm'`.execute(database.db);
      const fill = Array.from({ length: 100_000 }, (_, j) => `adm-${String(i + j).padStart(8, '0')}`);
      await registerTokens(database.db, 'adm', fill);
    }
    await sql`vacuum analyze`.execute(database.db);
    if (SLOW_CLIENTS) client.slow(base, SLOW_CLIENTS);
    const bare = (path: string) => measure({ url: `${floorBase}${path}`, method: 'POST', body: { kind: 'none' } });
    if (ONLY.includes('floor')) results.floorSelect = await bare('/floor');
    if (ONLY.includes('floor-write')) results.floorWrite = await bare('/floor-write');
    if (ONLY.includes('admission')) {
      results.admission = await measure({
        url: `${base}/v1/liveform/start`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: { kind: 'admission', pid: 'adm', prefix: 'adm', count: 150_000 },
        clientAddresses: 4096,
      });
    }
    if (ONLY.includes('register')) {
      const regKey = await project(database, 'reg', 'none');
      const r = await measure({
        url: `${base}/v1/projects/reg/tokens`,
        method: 'POST',
        connections: 8,
        headers: { 'content-type': 'application/json', 'x-api-key': regKey },
        body: { kind: 'batch', prefix: 'reg' },
        amount: 190, // 95,000 IDs: stays under the cap so every request counts
      });
      results.register = {
        ...r,
        rps: Math.round(r.ok / r.seconds),
        idsPerSecond: Math.round((r.ok * 500) / r.seconds),
      };
    }
    if (ONLY.includes('cap')) {
      const capKey = await project(database, 'cap', 'none');
      const r = await measure({
        url: `${base}/v1/projects/cap/tokens`,
        method: 'POST',
        connections: 8,
        headers: { 'content-type': 'application/json', 'x-api-key': capKey },
        body: { kind: 'batch', prefix: 'cap' },
        amount: 240, // 120,000 IDs offered
      });
      const [{ n, c }] = (
        await sql<{ n: number; c: number }>`
        select (select count(*)::int from tokens where project_id = 'cap') as n,
               (select registered from token_counts where project_id = 'cap') as c`.execute(database.db)
      ).rows;
      results.cap = {
        offered: 240 * 500,
        accepted: r.ok * 500,
        refused: r.non2xx,
        stored: n,
        counter: c,
        capHeld: n <= 100_000 && n === c,
      };
    }
    if (SLOW_CLIENTS) results.slowClients = await client.stopSlow();
    const machine = {
      cores: os.cpus().length,
      load: os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' '),
    };
    const report = { machine, connections: CONNECTIONS, seconds: SECONDS, slowClients: SLOW_CLIENTS, ...results };
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

await main();
