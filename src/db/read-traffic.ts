// Reads the traffic facts of a window for plan and apply (I/O stays out of the planner): rows
// summed per day, for the projects in scope. A database whose plan role cannot read the table
// yet (roles granted before migration 012) gives no facts and says why, rather than no plan.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.js';
import type { TrafficFactRow, TrafficFacts } from '../plan/traffic-types.js';
import { formatDuration } from '../util/duration.js';

export const DEFAULT_TRAFFIC_WINDOW_MS = 7 * 86_400_000;

export async function readTrafficFacts(
  db: Kysely<DatabaseSchema>,
  options: { windowMs: number; now: Date; source: string; only?: readonly string[] },
): Promise<TrafficFacts> {
  const since = new Date(options.now.getTime() - options.windowMs);
  const window = formatDuration(options.windowMs / 1000);
  const base = { window, since: since.toISOString(), until: options.now.toISOString(), source: options.source };
  const scope = options.only?.length ? sql`and project_id in (${sql.join([...options.only])})` : sql``;
  try {
    const { rows } = await sql<{
      project_id: string;
      day: string;
      route: string;
      outcome: string;
      caller: string;
      encryption: string;
      token: string;
      key_rotation: number;
      n: string | number;
    }>`
      select project_id, to_char(hour at time zone 'UTC', 'YYYY-MM-DD') as day, route, outcome, caller,
             encryption, token, key_rotation, sum(count) as n
      from traffic_facts
      where hour >= ${since} and hour < ${options.now} ${scope}
      group by 1, 2, 3, 4, 5, 6, 7, 8
      order by 1, 2, 3, 4, 5, 6, 7, 8`.execute(db);
    const facts: TrafficFactRow[] = rows.map((r) => ({
      projectId: r.project_id,
      day: r.day,
      route: r.route,
      outcome: r.outcome,
      caller: r.caller,
      encryption: r.encryption,
      token: r.token,
      keyRotation: r.key_rotation,
      count: Number(r.n),
    }));
    return { ...base, rows: facts };
  } catch (error) {
    return { ...base, rows: [], unreadable: String((error as Error).message).slice(0, 200) };
  }
}
