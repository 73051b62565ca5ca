// `npm run bench:serve`: load on `serve` over PostgreSQL with autocannon, next to a floor measured
// in the same run (a bare Fastify route doing one SELECT round trip on the same pool).
//   admission: POST /v1/liveform/start, every request a different registered count-based token
//   register:  POST /v1/projects/{pid}/tokens in 500-ID batches, 8 connections
//   cap:       8 concurrent registrants pushing past 100,000: the count never passes the cap
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest, openDatabase, type Database } from '../db/connection.js';
import { revealApiKey, syncApiKey } from '../keys/api-key.js';
import { buildServer } from '../server/app.js';
import { registerTokens } from '../tokens/token-store.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const PG = process.env.ARGOS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(arg('seconds', '10'));
const CONNECTIONS = Number(arg('connections', '32'));
const MASTER = randomBytes(32);

async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `argos_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(PG);
  u.pathname = `/${name}`;
  return {
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
  await database.db.insertInto('projects').values({
    id, name: id, labels: '{}', status: 'TEST', submissions: 'normal', private_mode: false, token_pre_registration: true,
    token_expiration_mode: expiration, token_expiration_seconds: null, token_delete_on_expiration: false,
    token_volume_start_threshold: null, token_volume_ratio: null, token_volume_priority: null, encrypted_only: false,
    privacy_protection: false, secure_transmission: false, secure_transmission_public_key: null, api_key_rotation: 1,
  }).execute();
  await database.db.transaction().execute((tx) => syncApiKey(tx, id, 1, null, () => MASTER));
  return (await revealApiKey(database.db, id, 'bench', () => MASTER)).key;
}

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon({ duration: SECONDS, connections: CONNECTIONS, ...opts }, (err, result) => (err ? reject(err) : resolve(result))));
}

let batches = 0;
/** 500 new IDs per call. */
const batchBody = (prefix: string) => {
  const b = batches++;
  return JSON.stringify({ tokenIds: Array.from({ length: 500 }, (_, i) => `${prefix}-${b}-${String(i).padStart(4, '0')}`) });
};

const summary = (r: autocannon.Result) => ({ rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors });

async function main(): Promise<void> {
  const fresh = await freshDatabase();
  const database = await openDatabase(fresh.url, { poolSize: Number(arg('pool', '16')) });
  try {
    await migrateToLatest(database.db);
    const { app } = await buildServer(database, { log: () => {} });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

    // Floor: one SELECT round trip per request through the same pool and the same HTTP stack.
    const floorApp = Fastify({ logger: false });
    floorApp.post('/floor', async () => (await sql`select id from projects where id = 'adm'`.execute(database.db)).rows);
    await floorApp.listen({ host: '127.0.0.1', port: 0 });
    const floorBase = `http://127.0.0.1:${(floorApp.server.address() as { port: number }).port}`;

    await project(database, 'adm', 'count');
    const admissionTokens = Array.from({ length: 100_000 }, (_, i) => `adm-${String(i).padStart(8, '0')}`);
    await registerTokens(database.db, 'adm', admissionTokens);
    const floor = await run({ url: `${floorBase}/floor`, method: 'POST' });
    let next = 0;
    const admission = await run({
      url: `${base}/v1/liveform/start`, method: 'POST', headers: { 'content-type': 'application/json' },
      requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ pid: 'adm', token: admissionTokens[next++ % admissionTokens.length] }) }) }],
    });

    const regKey = await project(database, 'reg', 'none');
    const register = await run({
      url: `${base}/v1/projects/reg/tokens`, method: 'POST', connections: 8, headers: { 'content-type': 'application/json', 'x-api-key': regKey },
      requests: [{ setupRequest: (req) => ({ ...req, body: batchBody('reg') }) }],
      amount: 190, // 95,000 IDs: stays under the cap so every request counts
    });

    const capKey = await project(database, 'cap', 'none');
    const cap = await run({
      url: `${base}/v1/projects/cap/tokens`, method: 'POST', connections: 8, headers: { 'content-type': 'application/json', 'x-api-key': capKey },
      requests: [{ setupRequest: (req) => ({ ...req, body: batchBody('cap') }) }],
      amount: 240, // 120,000 IDs offered
    });
    const [{ n }] = (await sql<{ n: number }>`select count(*)::int as n from tokens where project_id = 'cap'`.execute(database.db)).rows;

    const registerSeconds = register.duration;
    const result = {
      machine: { cores: (await import('node:os')).cpus().length, load: (await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ') },
      connections: CONNECTIONS, seconds: SECONDS,
      floorSelect: summary(floor),
      admission: summary(admission),
      register: { ...summary(register), idsPerSecond: Math.round((register['2xx'] * 500) / registerSeconds) },
      cap: { offered: 240 * 500, accepted: cap['2xx'] * 500, refused: cap.non2xx, stored: n, capHeld: n <= 100_000 },
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    await app.close();
    await floorApp.close();
  } finally {
    await database.close();
    await fresh.drop();
  }
}

await main();
