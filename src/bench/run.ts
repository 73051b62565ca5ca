// `npm run bench`: the reconcile core at 1,000 and 10,000 projects on PGlite and PostgreSQL,
// each figure next to a floor measured in the same run. Each (size, dialect) runs in its own
// process so peak memory is its own.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { $ } from 'zx';
import { parse } from 'yaml';
import { lockedApply } from '../apply/apply-plan.js';
import { migrateToLatest, openDatabase } from '../db/connection.js';
import { readState } from '../db/read-state.js';
import { readManifests } from '../validate/read-manifests.js';
import { buildPlan } from '../plan/build-plan.js';
import { commandFigures, fileFloors, seed, smallFigures } from './cli-bench.js';
import { generateProjects, type ManifestStyle } from './generate.js';
import { tokenBench } from './tokens.js';

type Metrics = Record<string, number | string>;

// Applies issue key material, sealed under a master key: the bench brings a throwaway one (inherited
// by the measured children), as a deployment brings its own.
process.env.ARGOS_MASTER_KEY ??= randomBytes(32).toString('base64');

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};

/**
 * A temp folder of the bench, removed when its process ends however it ends (a failed child run
 * included), as well as where the bench is done with it: no argosctl-bench-* folder stays behind.
 */
function benchTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const full = path.join(dir, n);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

async function timed<T>(work: () => Promise<T> | T): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, Math.round(performance.now() - start)];
}

async function freshPostgres(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `argos_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function tokenChild(dir: string, dialect: string): Promise<Metrics> {
  const target =
    dialect === 'postgres'
      ? await freshPostgres(process.env.ARGOS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres')
      : { url: 'memory:', drop: async () => {} };
  try {
    const m = await tokenBench(target.url, dialect, dir);
    m.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    return m;
  } finally {
    await target.drop();
  }
}

/** A database for the whole-command suite: a fresh PostgreSQL database, or a PGlite folder. */
async function commandTarget(dialect: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === 'postgres')
    return freshPostgres(process.env.ARGOS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const folder = benchTempDir('argosctl-bench-pglite-');
  return { url: `pglite:${folder}`, drop: async () => rmSync(folder, { recursive: true, force: true }) };
}

async function commandChild(dir: string, dialect: string, runs: number): Promise<Metrics> {
  const target = await commandTarget(dialect);
  try {
    const m: Metrics = { ...fileFloors(dir, runs), ...(await seed(target.url, dir)) };
    if (arg('small', '') === 'yes') return { ...m, ...smallFigures(dir, target.url, runs) };
    const { floorNode, floorNodeMs } = smallFigures(dir, target.url, runs);
    return { ...m, ...commandFigures(dir, target.url, runs), floorNode, floorNodeMs };
  } finally {
    await target.drop();
  }
}

async function child(dir: string, dialect: string): Promise<Metrics> {
  const m: Metrics = {};
  const files = listFiles(dir);
  [, m.floorParseMs] = await timed(() => {
    for (const f of files) parse(readFileSync(f, 'utf8'));
  });
  const [manifests, validateMs] = await timed(() => readManifests(dir));
  m.validateMs = validateMs;
  const errors = manifests.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`generated manifests are invalid: ${errors[0].message}`);

  const target =
    dialect === 'postgres'
      ? await freshPostgres(process.env.ARGOS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres')
      : { url: 'memory:', drop: async () => {} };
  let queries = 0;
  const database = await openDatabase(target.url, { onQuery: () => queries++ });
  try {
    await migrateToLatest(database.db);
    const plan = (state: Awaited<ReturnType<typeof readState>>) =>
      buildPlan({ manifests, state, git: {}, now: new Date() });
    const [createPlan, planCreateMs] = await timed(async () => plan(await readState(database.db)));
    m.planCreateMs = planCreateMs;
    m.changesCreated = createPlan.changes.length;
    queries = 0;
    const [applied, applyCreateMs] = await timed(() =>
      lockedApply(database.db, undefined, plan, { actor: 'bench', git: {}, lock: { timeoutMs: 0 } }),
    );
    m.applyCreateMs = applyCreateMs;
    m.applyStatements = applied.statements;
    queries = 0;
    const [noChange, planNoChangeMs] = await timed(async () => plan(await readState(database.db)));
    if (noChange.changes.length) throw new Error('plan after apply is not empty');
    m.planNoChangeMs = planNoChangeMs;
    m.planQueries = queries;
    [, m.floorSelectMs] = await timed(() => sql`select * from projects`.execute(database.db));
    [, m.floorSelectAllTablesMs] = await timed(async () => {
      for (const t of ['projects', 'auth_methods', 'ip_whitelist', 'admins', 'encryption_keys'])
        await sql`select * from ${sql.table(t)}`.execute(database.db);
    });
    m.validateAndPlanNoChangeMs = validateMs + planNoChangeMs;
  } finally {
    await database.close();
    await target.drop();
  }
  m.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  return m;
}

/** One measurement in a process of its own (so its peak memory is its own); its last stdout line is the JSON. */
async function runChild(self: string, args: string[]): Promise<Metrics> {
  const out = await $({ stdio: ['ignore', 'pipe', 'inherit'] })`${process.execPath} ${self} --child ${args}`;
  return JSON.parse(out.stdout.trim().split('\n').pop()!) as Metrics;
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  return `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

async function main(): Promise<void> {
  if (process.argv.includes('--child')) {
    const suite = arg('suite', 'core');
    const metrics =
      suite === 'commands'
        ? await commandChild(arg('dir', ''), arg('dialect', 'pglite'), Number(arg('runs', '3')))
        : await (suite === 'tokens' ? tokenChild : child)(arg('dir', ''), arg('dialect', 'pglite'));
    process.stdout.write(JSON.stringify(metrics) + '\n');
    return;
  }
  const suites = arg('suite', 'commands,core,tokens').split(',');
  const sizes = suites.includes('core') ? arg('sizes', '1000,10000').split(',').map(Number) : [];
  const dialects = arg('dialects', 'pglite,postgres').split(',');
  const self = fileURLToPath(import.meta.url);
  console.error(`argosctl bench on ${machine()}`);
  const commandRows: string[] = [];
  const smallRows: string[] = [];
  const ratioRows: string[] = [];
  if (suites.includes('commands')) {
    const runs = arg('runs', '3');
    // `people`: manifests as people write them (src/bench/generate.ts); `clean`: the one clean shape.
    // `--command-sizes 0`: only the one-project table below.
    for (const style of arg('styles', 'people,clean').split(',') as ManifestStyle[])
      for (const size of arg('command-sizes', '10000,100000')
        .split(',')
        .map(Number)
        .filter((n) => n > 0)) {
        const dir = benchTempDir(`argosctl-bench-cmd-${size}-`);
        generateProjects(dir, size, style);
        // PGlite only up to 10,000: its own heap, not argosctl, decides the rest.
        for (const dialect of dialects.filter((d) => d === 'postgres' || size <= 10_000)) {
          console.error(`commands, ${size} ${style} projects, ${dialect}: running …`);
          const m = await runChild(self, ['--suite', 'commands', '--dir', dir, '--dialect', dialect, '--runs', runs]);
          console.error(`    ${JSON.stringify(m)}`);
          const floor =
            Number(m.floorNodeMs) + Number(m.floorReadHashMs) + Number(m.floorJsonParseMs) + Number(m.floorSelectAllMs);
          commandRows.push(
            `| ${size} ${style} | ${dialect} | ${m.floorNode} | ${m.floorReadHashMs} | ${m.floorJsonParseMs} | ${m.floorJsYamlMs} | ${m.floorSelectAllMs} | ${m.validateMs} | ${m.validateNoCacheMs} | ${m.planNoChangeMs} | ${m.planNoCacheMs} | ${m.planOneChangedMs} | ${(Number(m.planNoChangeWallMs) / floor).toFixed(1)}× | ${m.peakRssMb} |`,
          );
          // Issue 21's goals: each command over the floor of its unchanged file set, all wall time:
          // node -e 0 + read+sha256 of every file (+ the SELECT of the state tables for plan).
          const files = Number(m.floorNodeMs) + Number(m.floorReadHashMs);
          const withDb = files + Number(m.floorSelectAllMs);
          const x = (ms: unknown, of: number) => `${(Number(ms) / of).toFixed(2)}×`;
          ratioRows.push(
            `| ${size} ${style} | ${dialect} | ${withDb} | ${x(m.planNoChangeWallMs, withDb)} | ${x(m.planOneChangedWallMs, withDb)} | ${x(m.planNoCacheWallMs, withDb)} | ${files} | ${x(m.validateWallMs, files)} | ${m.peakRssMb} |`,
          );
        }
        rmSync(dir, { recursive: true, force: true });
      }
    const one = benchTempDir('argosctl-bench-one-');
    generateProjects(one, 1);
    for (const dialect of dialects) {
      console.error(`commands, one project, ${dialect}: running …`);
      const m = await runChild(self, [
        '--suite',
        'commands',
        '--dir',
        one,
        '--dialect',
        dialect,
        '--runs',
        String(Number(runs) * 3),
        '--small',
        'yes',
      ]);
      console.error(`    ${JSON.stringify(m)}`);
      smallRows.push(
        `| ${dialect} | ${m.floorNode} | ${m.versionMs} | ${m.helpMs} | ${m.validateOneMs} | ${m.planOneMs} |`,
      );
    }
    rmSync(one, { recursive: true, force: true });
  }
  const rows: string[] = [];
  for (const size of sizes) {
    const dir = benchTempDir(`argosctl-bench-${size}-`);
    console.error(`generating ${size} projects in ${dir} …`);
    generateProjects(dir, size);
    for (const dialect of dialects) {
      console.error(`  ${dialect}: running …`);
      const m = await runChild(self, ['--dir', dir, '--dialect', dialect]);
      rows.push(
        `| ${size} | ${dialect} | ${m.floorParseMs} | ${m.validateMs} | ${m.planCreateMs} | ${m.applyCreateMs} (${m.applyStatements} stmts) | ${m.floorSelectMs} / ${m.floorSelectAllTablesMs} | ${m.planNoChangeMs} | ${m.validateAndPlanNoChangeMs} | ${m.planQueries} | ${m.peakRssMb} |`,
      );
      console.error(`    ${JSON.stringify(m)}`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const tokenRows: string[] = [];
  if (suites.includes('tokens')) {
    const dir = benchTempDir('argosctl-bench-tokens-');
    for (const dialect of dialects) {
      console.error(`tokens on ${dialect}: running …`);
      const m = await runChild(self, ['--suite', 'tokens', '--dir', dir, '--dialect', dialect]);
      console.error(`    ${JSON.stringify(m)}`);
      tokenRows.push(
        `| ${dialect} | ${m.floorCopyMs} | ${m.importMs} | ${m.importIdsPerSecond} | ${(Number(m.importMs) / Number(m.floorCopyMs)).toFixed(2)}× | ${m.floorDeleteMs} (${m.floorDeleted} rows) | ${m.pruneMs} (${m.pruneDeleted} rows) | ${(Number(m.pruneMs) / Number(m.floorDeleteMs)).toFixed(2)}× | ${m.peakRssMb} |`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }
  let commit = 'unknown';
  try {
    commit = (await $`git rev-parse --short HEAD`).stdout.trim();
  } catch {
    /* not a checkout */
  }
  console.log(`\nRun of ${new Date().toISOString().slice(0, 10)}, commit ${commit}, ${machine()}`);
  if (commandRows.length) {
    console.log(
      '\nWhole commands (median of the runs; "wall / CPU" ms, CPU = user + system of the command\'s process;',
    );
    console.log(
      'plan ÷ floor: wall time over node -e 0 + read+sha256 + JSON.parse + SELECT of the 5 tables, all wall)\n',
    );
    console.log(
      '| projects | db | floor: node -e 0 ms | floor: read+sha256 ms | floor: JSON.parse ms | floor: js-yaml ms | floor: SELECT 5 tables ms | validate ms | validate --no-cache ms | plan no-change ms | plan --no-cache ms | plan one changed ms | plan ÷ floor | peak RSS MB |',
    );
    console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const row of commandRows) console.log(row);
    console.log(
      '\nAgainst the floors (issue 21 goals: no-change ≤ 2×, one changed ≤ 2.5×, --no-cache ≤ 6×, validate ≤ 2×, peak ≤ 300 MB)\n',
    );
    console.log(
      '| projects | db | floor: node + read+sha256 + SELECT ms | plan no-change ÷ | plan one changed ÷ | plan --no-cache ÷ | floor: node + read+sha256 ms | validate ÷ | peak RSS MB |',
    );
    console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const row of ratioRows) console.log(row);
  }
  if (smallRows.length) {
    console.log('\nOne-project commands and start-up (median, "wall / CPU" ms)\n');
    console.log('| db | floor: node -e 0 ms | --version ms | --help ms | validate ms | plan ms |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const row of smallRows) console.log(row);
  }
  if (rows.length) {
    console.log('\nReconcile core\n');
    console.log(
      '| projects | db | floor: parse YAML ms | validate ms | plan (all new) ms | apply create-all ms | floor: SELECT projects / all 5 tables ms | plan no-change ms (read+diff) | validate + no-change plan ms | queries per plan | peak RSS MB |',
    );
    console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const row of rows) console.log(row);
  }
  if (tokenRows.length) {
    console.log(
      '\nTokens: import 100,000 IDs; prune a full project (10% expired, then 20% of the rest, oldest first)\n',
    );
    console.log(
      '| db | floor: copy ms | import ms | IDs/s | import ÷ floor | floor: one DELETE ms | prune ms | prune ÷ floor | peak RSS MB |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const row of tokenRows) console.log(row);
  }
}

await main();
