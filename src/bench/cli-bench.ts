// The whole-command benchmark: the built CLI run as users run it (a process per run, start-up and
// module loading included), each figure the median of several runs and next to floors measured
// in the same run: `node -e 0`, reading and hashing every file, JSON.parse and js-yaml of the same
// content, and plain SELECTs of the state tables. Peak memory is the command's own (rss-probe.js).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jsYaml from 'js-yaml';
import { sql } from 'kysely';
import { lockedApply } from '../apply/apply-plan.js';
import { recordableSources } from '../apply/record-sources.js';
import { migrateToLatest, openDatabase } from '../db/connection.js';
import { readManifests } from '../validate/read-manifests.js';
import { buildPlan } from '../plan/build-plan.js';

export type Metrics = Record<string, number | string>;

const BIN = fileURLToPath(new URL('../../bin/argosctl.js', import.meta.url));
const PROBE = fileURLToPath(new URL('./rss-probe.js', import.meta.url));

// validate's cache (src/manifest/read/validate-cache.ts) goes to a folder of the bench's own, not the user's.
// Removed when the bench's process ends, however it ends, so no argosctl-bench-cache-* folder stays behind.
const CACHE_HOME = mkdtempSync(path.join(tmpdir(), 'argosctl-bench-cache-'));
process.on('exit', () => rmSync(CACHE_HOME, { recursive: true, force: true }));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Run {
  ms: number;
  cpuMs: number;
  rssMb: number;
}

/** One process: wall-clock ms, CPU ms (user + system) and its peak RSS in MB. */
function runOnce(args: string[]): Run {
  const rssFile = path.join(mkdtempSync(path.join(tmpdir(), 'argosctl-rss-')), 'rss');
  const start = performance.now();
  const r = spawnSync(process.execPath, ['--import', PROBE, ...args], {
    env: { ...process.env, ARGOS_BENCH_RSS_FILE: rssFile, NO_COLOR: '1', XDG_CACHE_HOME: CACHE_HOME },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  const ms = performance.now() - start;
  let figures: string;
  try {
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
    figures = readFileSync(rssFile, 'utf8');
  } finally {
    rmSync(path.dirname(rssFile), { recursive: true, force: true }); // a failed run leaves no folder either
  }
  const [rssKb, cpuUs] = figures.split(' ').map(Number);
  return { ms, cpuMs: cpuUs / 1000, rssMb: Math.round(rssKb / 1024) };
}

/** The median times and the highest peak RSS of `runs` runs. */
function measure(args: string[], runs: number): Run {
  const results = Array.from({ length: runs }, () => runOnce(args));
  return {
    ms: Math.round(median(results.map((r) => r.ms))),
    cpuMs: Math.round(median(results.map((r) => r.cpuMs))),
    rssMb: Math.max(...results.map((r) => r.rssMb)),
  };
}

/** "wall / cpu" of a run, as the tables show it. */
const both = (r: Run) => `${r.ms} / ${r.cpuMs}`;

const cli = (...args: string[]) => [BIN, ...args];

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const full = path.join(dir, n);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

function timedMedian(work: () => void, runs: number): number {
  const times = Array.from({ length: runs }, () => {
    const s = performance.now();
    work();
    return performance.now() - s;
  });
  return Math.round(median(times));
}

/** Floors over the same files: read + sha256, JSON.parse of the same content, js-yaml. */
export function fileFloors(dir: string, runs: number): Metrics {
  // Every file a no-change run reads and hashes (public key files too); the manifests parsed.
  const files = listFiles(dir);
  const texts = files.filter((f) => /\.ya?ml$/.test(f)).map((f) => readFileSync(f, 'utf8'));
  const json = texts.map((t) => JSON.stringify(jsYaml.loadAll(t)));
  return {
    floorReadHashMs: timedMedian(() => {
      for (const f of files) createHash('sha256').update(readFileSync(f)).digest('hex');
    }, runs),
    floorJsonParseMs: timedMedian(() => {
      for (const j of json) JSON.parse(j);
    }, runs),
    floorJsYamlMs: timedMedian(() => {
      for (const t of texts) jsYaml.loadAll(t);
    }, runs),
  };
}

/** The database at `url` holds exactly the projects of `dir` (applied in-process, as the bench of the core does). */
const SEED_SLICE = 10_000;

export async function seed(url: string, dir: string): Promise<Metrics> {
  const database = await openDatabase(url);
  try {
    await migrateToLatest(database.db);
    const manifests = await readManifests(dir);
    const errors = manifests.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw new Error(`generated manifests are invalid: ${errors[0].message}`);
    // As `argosctl apply --project …` does, 10,000 projects at a time (one apply creating 100,000 holds
    // every change and audit row at once: more than the heap); the sources are recorded, so a later plan
    // skips unchanged files.
    const ids = manifests.projects.map((p) => p.settings.id);
    for (let i = 0; i < ids.length; i += SEED_SLICE) {
      const only = ids.slice(i, i + SEED_SLICE);
      await lockedApply(database.db, only, (state) => buildPlan({ manifests, state, git: {}, now: new Date(), only }), {
        actor: 'bench',
        git: {},
        lock: { timeoutMs: 0 },
        record: (plan, held) => recordableSources(manifests, plan, held),
      });
    }
    const tables = ['projects', 'auth_methods', 'ip_whitelist', 'admins', 'encryption_keys'];
    const selectAll = async () => {
      for (const t of tables) await sql`select * from ${sql.table(t)}`.execute(database.db);
    };
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = performance.now();
      await selectAll();
      times.push(performance.now() - s);
    }
    return { floorSelectAllMs: Math.round(median(times)) };
  } finally {
    await database.close();
  }
}

/**
 * Whole commands over a seeded database: validate (its cache filled by a first run) and with
 * --no-cache, no-change plan and with --no-cache, plan with one project changed.
 */
export function commandFigures(dir: string, url: string, runs: number): Metrics {
  const m: Metrics = {};
  runOnce(cli('validate', '--dir', dir));
  const validate = measure(cli('validate', '--dir', dir), runs);
  const validateFull = measure(cli('validate', '--dir', dir, '--no-cache'), runs);
  const plan = measure(cli('plan', '--dir', dir, '--database-url', url), runs);
  const planFull = measure(cli('plan', '--dir', dir, '--database-url', url, '--no-cache'), runs);
  m.validateMs = both(validate);
  m.validateNoCacheMs = both(validateFull);
  m.planNoChangeMs = both(plan);
  m.planNoCacheMs = both(planFull);
  m.planNoChangeWallMs = plan.ms;
  m.planNoCacheWallMs = planFull.ms;
  m.validateWallMs = validate.ms;
  m.peakRssMb = Math.max(validate.rssMb, validateFull.rssMb, plan.rssMb, planFull.rssMb);
  // Each command's own peak, so the skipping path and the full path are told apart.
  m.rssMbByCommand = `validate ${validate.rssMb}, validate --no-cache ${validateFull.rssMb}, plan ${plan.rssMb}, plan --no-cache ${planFull.rssMb}`;
  const file = listFiles(dir).sort()[0];
  const original = readFileSync(file, 'utf8');
  writeFileSync(
    file,
    original.replace(/status: (TRIAL|TEST|OPEN)/, (_, s) => `status: ${s === 'TEST' ? 'TRIAL' : 'TEST'}`),
  );
  try {
    const oneChanged = measure(cli('plan', '--dir', dir, '--database-url', url), runs);
    m.planOneChangedMs = both(oneChanged);
    m.planOneChangedWallMs = oneChanged.ms;
  } finally {
    writeFileSync(file, original);
  }
  return m;
}

/** One-project commands and start-up, next to `node -e 0`. */
export function smallFigures(dir: string, url: string, runs: number): Metrics {
  const node = measure(['-e', '0'], runs);
  return {
    floorNodeMs: node.ms,
    floorNode: both(node),
    versionMs: both(measure(cli('--version'), runs)),
    helpMs: both(measure(cli('--help'), runs)),
    validateOneMs: both(measure(cli('validate', '--dir', dir), runs)),
    planOneMs: both(measure(cli('plan', '--dir', dir, '--database-url', url), runs)),
  };
}
