// `npm run bench:replicas`: `serve` and `worker` as separate processes (the real CLI, as a
// deployment runs them) on one fresh PostgreSQL database, with admissions spread over the
// replicas as a load balancer would (autocannon's connections go to each replica in turn, from
// 4,096 forwarded client addresses behind --trust-proxy):
//   1. admissions against 1 serve + 1 worker, then against 3 serve + 3 workers, each after a 5 s
//      warm-up: requests/s, p99, and the CPU per admission of all argosctl processes and of the
//      PostgreSQL backends (the figure that does not depend on the cores this machine has)
//   2. exactly once: 2,000 count-based tokens, each offered 3 times across the replicas: each admitted
//      once, one expiry event and one session per token
//   3. the cap: 8 registrants through the 3 replicas pushing past 100,000: stored = counter ≤ 100,000
//   4. prune ticks: three workers on a clock 600× as fast (hidden `worker --clock-speed`, one
//      10-minute tick a second), all three from the same origin; each tick is claimed once, runs
//      one prune per project, and deletes each expired token of the deleting project once.
// Workers run during every phase: on the wall clock for 1–3, on the fast clock for 4 (their
// delivery loop then every 5 s of real time).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '../db/connection.js';
import { registeredCountSql, registerTokens } from '../tokens/token-store.js';
import { tickOf, TICK_MS } from '../tokens/worker.js';
import {
  BENCH_PG,
  backendCpu,
  benchProject,
  flag,
  freshDatabase,
  processCpuSeconds,
  storedAndCounted,
} from './bench-database.js';
import { loadProcess } from './load-process.js';

const SECONDS = Number(flag('seconds', '10'));
const CONNECTIONS = Number(flag('connections', '32'));
const POOL = flag('pool-size', '16');
/**
 * `--split-pool`: the three replicas share the one replica's connections (each gets a third of
 * `--pool-size`, rounded up) instead of each taking the whole of it. PostgreSQL on a machine has
 * one budget of connections that it serves well; three times the backends, on the same cores,
 * cost more per statement.
 */
const SPLIT_POOL = process.argv.includes('--split-pool');
const POOL_OF_THREE = SPLIT_POOL ? String(Math.ceil(Number(POOL) / 3)) : POOL;
/**
 * Seconds of load before each measured phase: a fresh process spends its first thousands of
 * requests compiling (three replicas compile three times), which is start-up, not throughput.
 */
const WARMUP = Number(flag('warmup', '5'));
const ONCE_TOKENS = 2000;
const CLOCK_SPEED = 600;
const MASTER = randomBytes(32);
const CLI = fileURLToPath(new URL('../../bin/argosctl.js', import.meta.url));

interface Proc {
  child: ChildProcess;
  /** For serve: its base URL once it listens. */
  base?: string;
  stderr: string[];
}

/** Starts `argosctl ARGS…`; for serve, resolves once it prints "listening on http://…". */
function start(args: string[], env: NodeJS.ProcessEnv): Promise<Proc> {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const proc: Proc = { child, stderr: [] };
  return new Promise((resolve, reject) => {
    let pending = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        // Request log lines (one per request) are read and dropped; anything else is kept.
        if (line.startsWith('{')) continue;
        proc.stderr.push(line);
        const m = /^listening on (http:\/\/\S+)/.exec(line);
        if (m) {
          proc.base = m[1];
          resolve(proc);
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`argosctl ${args[0]} exited (${code}): ${proc.stderr.join(' | ')}`)));
    if (args[0] === 'worker') resolve(proc);
  });
}

/** CPU seconds (user + system) the running processes have used so far. */
const processCpu = (procs: readonly Proc[]) =>
  procs.reduce((sum, { child }) => sum + (processCpuSeconds(child.pid!) ?? 0), 0);

async function stopAll(procs: Proc[]): Promise<void> {
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.child.exitCode !== null) return resolve();
          p.child.once('exit', () => resolve());
          p.child.kill('SIGTERM');
        }),
    ),
  );
}

async function main(): Promise<void> {
  const fresh = await freshDatabase();
  const database = await openDatabase(fresh.url);
  const load = loadProcess();
  const procs: Proc[] = [];
  const env = { ...process.env, ARGOS_MASTER_KEY: MASTER.toString('base64'), NO_COLOR: '1' };
  // During the throughput phases the workers run on the wall clock, as deployed. For the prune
  // phase, workers on a clock 600× the wall clock from one origin, so their ticks agree.
  let origin = '';
  const worker = (fast = false) =>
    start(
      [
        'worker',
        '--database-url',
        fresh.url,
        ...(fast
          ? [
              '--clock-speed',
              String(CLOCK_SPEED),
              '--clock-origin',
              origin,
              '--delivery-interval',
              `${5 * CLOCK_SPEED}s`,
            ]
          : []),
      ],
      env,
    );
  const serve = (pool = POOL) =>
    start(
      ['serve', '--port', '0', '--trust-proxy', '127.0.0.1/32', '--pool-size', pool, '--database-url', fresh.url],
      env,
    );
  const results: Record<string, unknown> = {};
  const admin = new pg.Client({ connectionString: BENCH_PG });
  try {
    await migrateToLatest(database.db);
    await benchProject(database, 'adm', { expiration: 'count' }, MASTER);
    for (let i = 0; i < 200_000; i += 100_000) {
      await sql`delete from token_counts where project_id = 'adm'`.execute(database.db);
      await registerTokens(
        database.db,
        'adm',
        Array.from({ length: 100_000 }, (_, j) => `adm-${String(i + j).padStart(8, '0')}`),
      );
    }
    // Tokens of this project are deleted by the prune tick once expired: deletion happens once or not at all.
    // Its webhook (subscribed to token_expired) makes each expiry write the event counted below as the
    // exactly-once evidence; nothing listens there, so deliveries fail and are retried.
    await benchProject(
      database,
      'once',
      { expiration: 'count', deleteOnExpiration: true, webhook: 'http://127.0.0.1:9/once' },
      MASTER,
    );
    await registerTokens(
      database.db,
      'once',
      Array.from({ length: ONCE_TOKENS }, (_, j) => `once-${String(j).padStart(8, '0')}`),
    );
    const capKey = await benchProject(database, 'cap', { expiration: 'none' }, MASTER);
    await sql`vacuum analyze`.execute(database.db);

    const admissionLoad = (bases: string[], from: number, count: number) => ({
      url: bases.map((b) => `${b}/v1/liveform/start`),
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      body: { kind: 'admission' as const, pid: 'adm', prefix: 'adm', count, from },
      connections: CONNECTIONS,
      clientAddresses: 4096,
    });
    // Requests/s on 2 cores says little of scale-out; the CPU each admission costs all serve and
    // worker processes and the PostgreSQL backends together says whether replicas add overhead.
    await admin.connect();
    // Per backend since the last reading: a backend that ended in between (a pool's idle timeout) takes its CPU along.
    let lastPg = new Map<number, number>();
    const pgCpuSince = async () => {
      const now = await backendCpu(admin, fresh.name);
      let seconds = 0;
      for (const [pid, s] of now) seconds += s - (lastPg.get(pid) ?? 0);
      lastPg = now;
      return seconds;
    };
    const admissions = async (bases: string[], from: number) => {
      // Warm-up on tokens the measured run does not use (75,000 on from `from`).
      if (WARMUP > 0) await load.run({ ...admissionLoad(bases, from + 75_000, 25_000), seconds: WARMUP });
      // What the processes and backends use with no request at all, over 5 s.
      const idle0 = processCpu(procs);
      await pgCpuSince();
      await new Promise((r) => setTimeout(r, 5000));
      const idle = {
        argosctlCpuPerSecondIdle: Math.round(((processCpu(procs) - idle0) / 5) * 1000) / 1000,
        pgCpuPerSecondIdle: Math.round(((await pgCpuSince()) / 5) * 1000) / 1000,
      };
      const cpu0 = processCpu(procs);
      // Each phase its own 75,000 tokens, none used before: every request a first use.
      const r = await load.run({ ...admissionLoad(bases, from, 75_000), seconds: SECONDS });
      const n = r.ok + r.non2xx;
      return {
        ...r,
        ...idle,
        argosctlCpuUsPerRequest: Math.round(((processCpu(procs) - cpu0) * 1e6) / n),
        pgCpuUsPerRequest: Math.round(((await pgCpuSince()) * 1e6) / n),
      };
    };

    // 1. One replica.
    procs.push(await worker(), await serve());
    results.oneReplica = await admissions([procs[1].base!], 0);
    await stopAll(procs.splice(0));

    // Three replicas.
    for (let i = 0; i < 3; i++) procs.push(await worker());
    const serves = [await serve(POOL_OF_THREE), await serve(POOL_OF_THREE), await serve(POOL_OF_THREE)];
    procs.push(...serves);
    const bases = serves.map((s) => s.base!);
    results.threeReplicas = await admissions(bases, 100_000);

    // 2. Exactly once: every token offered 3 times, the offers spread over the replicas.
    const once = await load.run({
      url: bases.map((b) => `${b}/v1/liveform/start`),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: { kind: 'admission', pid: 'once', prefix: 'once', count: ONCE_TOKENS },
      seconds: SECONDS,
      connections: CONNECTIONS,
      amount: ONCE_TOKENS * 3,
      clientAddresses: 4096,
    });
    const [counts] = (
      await sql<{ events: number; tokens: number; sessions: number }>`
      select (select count(*)::int from token_events where project_id = 'once') as events,
             (select count(distinct payload->>'token_id')::int from token_events where project_id = 'once') as tokens,
             (select count(*)::int from liveform_sessions where project_id = 'once') as sessions`.execute(database.db)
    ).rows;
    results.exactlyOnce = {
      tokens: ONCE_TOKENS,
      offers: ONCE_TOKENS * 3,
      admitted: once.ok,
      refused: once.non2xx,
      errors: once.errors,
      expiryEvents: counts.events,
      tokensWithAnEvent: counts.tokens,
      sessions: counts.sessions,
      held: once.ok === ONCE_TOKENS && counts.events === ONCE_TOKENS && counts.sessions === ONCE_TOKENS,
    };

    // 3. The cap, through the three replicas at once.
    const cap = await load.run({
      url: bases.map((b) => `${b}/v1/projects/cap/tokens`),
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': capKey },
      body: { kind: 'batch', prefix: 'cap' },
      seconds: SECONDS,
      connections: 8,
      amount: 240,
      clientAddresses: 4096,
    });
    const stored = await storedAndCounted(database, 'cap');
    results.cap = {
      offered: 240 * 500,
      accepted: cap.ok * 500,
      refused: cap.non2xx,
      stored: stored.stored,
      counter: stored.counter,
      held: stored.stored <= 100_000 && stored.stored === stored.counter && cap.ok * 500 === stored.stored,
    };

    // 4. Prune ticks: the wall-clock workers give way to three fast-clock ones; let them see the
    // admitted `once` tokens' tick pass, then stop them.
    const wallClockWorkers = procs.filter((p) => !p.base);
    await stopAll(wallClockWorkers);
    procs.splice(0, procs.length, ...procs.filter((p) => p.base));
    origin = tickOf(new Date()).toISOString();
    for (let i = 0; i < 3; i++) procs.push(await worker(true));
    const virtualNow = () => new Date(Date.parse(origin) + (Date.now() - Date.parse(origin)) * CLOCK_SPEED);
    const lastTick = tickOf(virtualNow()).getTime() + 2 * TICK_MS;
    while (virtualNow().getTime() < lastTick + TICK_MS / 2) await new Promise((r) => setTimeout(r, 200));
    await stopAll(procs.splice(0));
    const ticks = await sql<{ claimed_by: string; n: number }>`
      select claimed_by, count(*)::int as n from worker_ticks group by claimed_by order by claimed_by`.execute(
      database.db,
    );
    const statuses = await sql<{ status: string; n: number }>`
      select status, count(*)::int as n from worker_ticks group by status order by status`.execute(database.db);
    const [runs] = (
      await sql<{ ticks: number; twice: number; deleted: number; left: number; counter: number }>`
      select (select count(*)::int from worker_ticks) as ticks,
             (select count(*)::int from (select 1 from prune_runs group by tick, project_id having count(*) > 1) t) as twice,
             (select coalesce(sum(expired_deleted), 0)::int from prune_runs where project_id = 'once') as deleted,
             (select count(*)::int from tokens where project_id = 'once') as left,
             ${registeredCountSql('once')} as counter`.execute(database.db)
    ).rows;
    results.pruneTicks = {
      ...runs,
      // 'abandoned': a pass cut short by SIGTERM when the workers were stopped.
      statuses: Object.fromEntries(statuses.rows.map((r) => [r.status, r.n])),
      claimsPerWorker: Object.fromEntries(ticks.rows.map((r) => [r.claimed_by, r.n])),
      clockSpeed: CLOCK_SPEED,
      held:
        runs.twice === 0 &&
        runs.deleted === once.ok &&
        runs.left === ONCE_TOKENS - once.ok &&
        runs.counter === runs.left,
    };
    const one = results.oneReplica as { rps: number };
    const three = results.threeReplicas as { rps: number };
    results.threeToOne = Math.round((three.rps / one.rps) * 100) / 100;
    const machine = {
      cores: os.cpus().length,
      load: os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' '),
    };
    process.stdout.write(
      `${JSON.stringify({ machine, connections: CONNECTIONS, seconds: SECONDS, poolSizePerReplica: Number(POOL), poolSizeOfEachOfThree: Number(POOL_OF_THREE), ...results }, null, 2)}\n`,
    );
  } finally {
    await stopAll(procs);
    await admin.end().catch(() => {});
    load.stop();
    await database.close();
    await fresh.drop();
  }
}

await main();
