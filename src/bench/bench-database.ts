// What the service benches share: a fresh PostgreSQL database per run (dropped after), a project
// written straight in with its API key, and the CPU of a database's backends read from /proc.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { registeredCountSql } from '../tokens/token-store.js';
import { sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../db/connection.js';
import { revealApiKey, syncApiKey } from '../keys/api-key.js';
import { syncWebhookSecret } from '../webhooks/webhook-secret.js';

export const BENCH_PG = process.env.ARGOS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

export async function freshDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `argos_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BENCH_PG });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(BENCH_PG);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: BENCH_PG });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface BenchProject {
  expiration: 'count' | 'none';
  deleteOnExpiration?: boolean;
  /** A webhook subscribed to token_expired (with its signing secret): expiries write events only then. */
  webhook?: string;
}

/** A project with pre-registered tokens and an API key (returned). */
export async function benchProject(database: Database, id: string, p: BenchProject, master: Buffer): Promise<string> {
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
      token_expiration_mode: p.expiration,
      token_expiration_seconds: null,
      token_delete_on_expiration: p.deleteOnExpiration ?? false,
      token_volume_start_threshold: null,
      token_volume_ratio: null,
      token_volume_priority: null,
      encrypted_only: false,
      privacy_protection: false,
      secure_transmission: false,
      secure_transmission_public_key: null,
      api_key_rotation: 1,
      ...(p.webhook
        ? { webhook_url: p.webhook, webhook_events: JSON.stringify(['token_expired']), webhook_secret_rotation: 1 }
        : {}),
    })
    .execute();
  await database.db.transaction().execute(async (tx) => {
    await syncApiKey(tx, id, 1, null, () => master);
    if (p.webhook) await syncWebhookSecret(tx, id, 1, () => master);
  });
  return (await revealApiKey(database.db, id, 'bench', () => master)).key;
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined once it has ended. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime: clock ticks of 1/100 s
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) of the PostgreSQL backends serving one database, from /proc. */
export async function backendCpu(admin: pg.Client, dbName: string): Promise<Map<number, number>> {
  const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [dbName]);
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    const seconds = processCpuSeconds(pid);
    if (seconds !== undefined) ticks.set(pid, seconds);
  }
  return ticks;
}

/** The tokens a project really holds beside its counter: the cap phases check they agree. */
export async function storedAndCounted(
  database: Database,
  projectId: string,
): Promise<{ stored: number; counter: number }> {
  const [row] = (
    await sql<{ stored: number; counter: number }>`
      select (select count(*)::int from tokens where project_id = ${projectId}) as stored,
             ${registeredCountSql(projectId)} as counter`.execute(database.db)
  ).rows;
  return row;
}
