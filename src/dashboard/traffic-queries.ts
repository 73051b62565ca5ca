// The dashboard's view of the traffic facts (traffic_facts, the same rows plan reads): Liveform
// admissions admitted and refused by reason per hour, and the Token API's callers per address.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';

type Db = Kysely<DatabaseSchema>;
const ADMISSION_ROUTE = '/v1/liveform/start';

export interface AdmissionOutcomes {
  /** The refusal codes seen in the window, most frequent first (one chart series each). */
  reasons: string[];
  hours: { hour: string; admitted: number; refused: number[] }[];
}

/** Every hour of the window (empty hours as zeros), admitted and refused per reason. */
export async function admissionOutcomesPerHour(db: Db, id: string, now: Date, hours = 48): Promise<AdmissionOutcomes> {
  const { rows } = await sql<{ hour: string; outcome: string | null; n: string | number }>`
    with h as (select generate_series(date_trunc('hour', cast(${now} as timestamptz)) - make_interval(hours => ${hours - 1}),
                                      date_trunc('hour', cast(${now} as timestamptz)), interval '1 hour') as hour)
    select to_char(h.hour at time zone 'UTC', 'YYYY-MM-DD HH24:00') as hour, f.outcome, coalesce(sum(f.count), 0) as n
    from h left join traffic_facts f on f.hour = h.hour and f.project_id = ${id} and f.route = ${ADMISSION_ROUTE}
    group by h.hour, f.outcome order by h.hour`.execute(db);
  const totals = new Map<string, number>();
  for (const r of rows)
    if (r.outcome && r.outcome !== 'ok') totals.set(r.outcome, (totals.get(r.outcome) ?? 0) + Number(r.n));
  const reasons = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([code]) => code);
  const byHour = new Map<string, { hour: string; admitted: number; refused: number[] }>();
  for (const r of rows) {
    const entry = byHour.get(r.hour) ?? { hour: r.hour, admitted: 0, refused: reasons.map(() => 0) };
    byHour.set(r.hour, entry);
    if (r.outcome === 'ok') entry.admitted += Number(r.n);
    else if (r.outcome) entry.refused[reasons.indexOf(r.outcome)] += Number(r.n);
  }
  return { reasons, hours: [...byHour.values()] };
}

export interface CallerRow {
  address: string;
  calls: number;
  /** Calls answered with a refusal (ip_not_allowed, project_closed, …). */
  refused: number;
  /** The API key generations the address used. */
  generations: number[];
  lastHour: string;
}

/** The Token API's callers (customers' servers) over the last `days`, most calls first. */
export async function callersPerAddress(db: Db, id: string, now: Date, days = 7, limit = 50): Promise<CallerRow[]> {
  const since = new Date(now.getTime() - days * 86_400_000);
  const { rows } = await sql<{
    caller: string;
    calls: string | number;
    refused: string | number;
    gens: number[];
    last: string;
  }>`
    select caller, sum(count) as calls, coalesce(sum(count) filter (where outcome <> 'ok'), 0) as refused,
           array_agg(distinct key_rotation order by key_rotation) as gens,
           to_char(max(hour) at time zone 'UTC', 'YYYY-MM-DD HH24:00') as last
    from traffic_facts where project_id = ${id} and caller <> '' and hour >= ${since}
    group by caller order by sum(count) desc, caller limit ${limit}`.execute(db);
  return rows.map((r) => ({
    address: r.caller,
    calls: Number(r.calls),
    refused: Number(r.refused),
    generations: (r.gens ?? []).filter((g) => g > 0),
    lastHour: r.last,
  }));
}
