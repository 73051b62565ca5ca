// A complete, comparable picture of every table argosctl writes (secret material as a digest).
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

const TABLES: [string, string][] = [
  ['projects', 'id'],
  ['auth_methods', 'project_id, method'],
  ['ip_whitelist', 'project_id, scope, range'],
  ['admins', 'project_id, email'],
  ['encryption_keys', 'project_id, name'],
  ['audit_log', 'id'],
  ['applied_plans', 'plan_digest'],
];

export async function snapshot(db: Kysely<any>): Promise<string> {
  const hash = createHash('sha256');
  for (const [table, order] of TABLES) {
    const { rows } = await sql<{
      row: string;
    }>`select t::text as row from ${sql.table(table)} t order by ${sql.raw(order)}`.execute(db);
    hash.update(`${table}:${rows.length}\n`);
    for (const r of rows) hash.update(r.row).update('\n');
  }
  return hash.digest('hex');
}

export async function rowCounts(db: Kysely<any>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [table] of TABLES) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
    out[table] = rows[0].n;
  }
  return out;
}
