// `npm run bench:dashboard`: the dashboard's server time on PostgreSQL with 10,000 projects and
// 1,000,000 audit rows. Requests go through Fastify's inject (no socket), so the figures are the
// server's own work: routing, session lookup, queries, rendering. Next to them, a floor measured in
// the same run: one `select 1` round trip on the same pool. Reported: p50 and p95 over the runs, and
// the Node process's CPU per request (rendering, driver; PostgreSQL's own work is not in it), which
// depends less on what else the machine runs than wall-clock time does.
//   overview-auditor: `/` for an auditor who sees all 10,000 projects (page 1 of 200)
//   overview-sorted:  the same sorted by tokens used, filtered by a name fragment
//   overview-owner:   `/` for an owner of 100 projects
//   project:          `/projects/{id}` for that owner: manifest, timeline (100 audit rows), 30-day chart over 20,000 tokens
//   audit:            `/audit` for the auditor (the newest 500 of 1,000,000 rows)
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { buildDashboard } from '../dashboard/app.js';
import { migrateToLatest, openDatabase } from '../db/connection.js';
import { oneProject, projectAdmins, settingsManifest, timeline, tokensPerDay } from '../dashboard/queries.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const PG = process.env.ARGOS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PROJECTS = Number(arg('projects', '10000'));
const AUDIT_ROWS = Number(arg('audit-rows', '1000000'));
const RUNS = Number(arg('runs', '200'));

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main(): Promise<void> {
  const name = `argos_bench_dash_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(PG);
  url.pathname = `/${name}`;
  const database = await openDatabase(url.toString(), { poolSize: 8 });
  try {
    await migrateToLatest(database.db);
    const seeded = performance.now();
    await sql`insert into projects (id, name, status, region)
              select 'p' || i, 'Project ' || i, (array['TRIAL','TEST','OPEN'])[1 + i % 3], (array['eu','us',null])[1 + i % 3]
              from generate_series(1, ${PROJECTS}) i`.execute(database.db);
    await sql`insert into admins (project_id, email, role)
              select 'p' || i, case when i <= 100 then 'owner@example.com' else 'o' || i || '@example.com' end, 'owner'
              from generate_series(1, ${PROJECTS}) i`.execute(database.db);
    await sql`insert into admins (project_id, email, role)
              select 'p' || i, 'm' || (i % 500) || '@example.com', 'member' from generate_series(1, ${PROJECTS}) i`.execute(
      database.db,
    );
    await sql`insert into token_counts (project_id, registered)
              select 'p' || i, (i * 7919) % 100000 from generate_series(1, ${PROJECTS}) i`.execute(database.db);
    await sql`insert into ip_whitelist (project_id, scope, range)
              select 'p' || i, 'dashboard', '127.0.0.0/8' from generate_series(1, ${PROJECTS}, 10) i`.execute(
      database.db,
    );
    await sql`insert into audit_log (applied_at, actor, git_commit, pr_number, plan_digest, project_id, action, path, before, after, reason)
              select now() - make_interval(secs => ${AUDIT_ROWS} - i), 'ci@example.com', md5(i::text), i % 900,
                     'sha256:' || (i / 50), 'p' || (1 + i % ${PROJECTS}), 'update', 'metadata.name', '"a"', '"b"', 'bench'
              from generate_series(1, ${AUDIT_ROWS}) i`.execute(database.db);
    await sql`insert into tokens (project_id, token_id, registered_at, first_used_at)
              select 'p1', 'tok-' || lpad(i::text, 8, '0'), now() - make_interval(mins => i * 2),
                     case when i % 3 = 0 then now() - make_interval(mins => i) end
              from generate_series(1, 20000) i`.execute(database.db);
    await sql`analyze`.execute(database.db);
    const seedMs = performance.now() - seeded;

    const app = await buildDashboard(database, {
      organization: {
        apiVersion: 'argosctl/v1',
        kind: 'Organization',
        dashboard: { auditors: ['auditor@example.com'] },
      },
      trustProxy: ['127.0.0.1/32'],
      authProxyHeader: 'x-forwarded-email',
      localLogin: false,
      secureCookies: false,
      log: () => {},
    });
    await app.ready();
    const cookieFor = async (email: string) => {
      const res = await app.inject({ method: 'GET', url: '/', headers: { 'x-forwarded-email': email } });
      if (res.statusCode !== 200) throw new Error(`sign-in of ${email}: ${res.statusCode}`);
      return String(res.headers['set-cookie']).split(';')[0];
    };
    const auditor = await cookieFor('auditor@example.com');
    const owner = await cookieFor('owner@example.com');

    const phases: [string, () => Promise<unknown>][] = [
      ['floor: select 1', () => sql`select 1`.execute(database.db)],
      ['overview-auditor', () => app.inject({ url: '/', headers: { cookie: auditor } })],
      ['overview-sorted', () => app.inject({ url: '/?q=99&sort=tokens&page=2', headers: { cookie: auditor } })],
      ['overview-owner', () => app.inject({ url: '/', headers: { cookie: owner } })],
      ['project', () => app.inject({ url: '/projects/p1', headers: { cookie: owner } })],
      ['audit', () => app.inject({ url: '/audit', headers: { cookie: auditor } })],
      // where the project page's time goes: each of its reads alone
      ['project: settings manifest', () => settingsManifest(database.db, 'p1')],
      ['project: timeline', () => timeline(database.db, 'p1', true)],
      ['project: admins', () => projectAdmins(database.db, 'p1')],
      ['project: tokens per day', () => tokensPerDay(database.db, 'p1', new Date())],
      [
        'project: one project',
        () => oneProject(database.db, { email: 'owner@example.com', auditor: false, regions: [] }, 'p1'),
      ],
    ];
    console.log(
      `dashboard bench: ${PROJECTS} projects, ${AUDIT_ROWS} audit rows, 20,000 tokens in p1 (seeded in ${(seedMs / 1000).toFixed(1)} s); ${RUNS} runs per phase after 10 warm-up runs`,
    );
    console.log('| phase | p50 ms | p95 ms | max ms | Node CPU ms/request | bytes |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const [label, run] of phases) {
      for (let i = 0; i < 10; i++) await run();
      const times: number[] = [];
      let bytes = 0;
      const cpu = process.cpuUsage();
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        const res = (await run()) as { statusCode?: number; body?: string };
        times.push(performance.now() - started);
        if (res.statusCode !== undefined && res.statusCode !== 200)
          throw new Error(`${label}: status ${res.statusCode}`);
        bytes = res.body?.length ?? 0;
      }
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000 / RUNS;
      times.sort((a, b) => a - b);
      console.log(
        `| ${label} | ${quantile(times, 0.5).toFixed(1)} | ${quantile(times, 0.95).toFixed(1)} | ${times[times.length - 1].toFixed(1)} | ${cpuMs.toFixed(2)} | ${bytes} |`,
      );
    }
    await app.close();
  } finally {
    await database.close();
    if (process.argv.includes('--keep')) console.log(`kept: ${url}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
