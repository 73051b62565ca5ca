// argos_prune_passes_total, read from the database so it counts every worker (all replicas):
// one per 10-minute tick that ran a pruning pass, whatever the number of projects it went over
// (prune_runs holds a row per project and pass; counting those rows counted projects, not passes).
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';

export const PRUNE_PASSES_HELP =
  'Pruning passes run by the worker (one per 10-minute tick that ran, any replica, however many projects it covered), by outcome (done, abandoned, failed); manual `argosctl prune` runs are not counted.';

const OUTCOMES = ['done', 'abandoned', 'failed'] as const;

export async function prunePassCounts(db: Kysely<DatabaseSchema>): Promise<Record<string, number>> {
  const { rows } = await sql<{ status: string; n: number }>`
    select status, count(*)::int as n from worker_ticks
    where status in ('done', 'abandoned', 'failed') group by status`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export function prunePassLines(counts: Record<string, number>): string[] {
  return [
    `# HELP argos_prune_passes_total ${PRUNE_PASSES_HELP}`,
    '# TYPE argos_prune_passes_total counter',
    ...OUTCOMES.map((o) => `argos_prune_passes_total{outcome="${o}"} ${counts[o] ?? 0}`),
  ];
}
