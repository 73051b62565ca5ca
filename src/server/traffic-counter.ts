// What `serve` answered, counted in memory per project and hour until the next flush
// (traffic-flush.ts adds it to traffic_facts). Bounded whatever the traffic: at most `maxKeys`
// distinct rows per hour in this process; past that a new caller is counted as `(other)` of its
// project, and past a small reserve the whole request lands in one `(other)` row.
import { isoFromEpochMs } from '../util/iso-time.js';

export const OTHER = '(other)';
export const DEFAULT_MAX_KEYS_PER_HOUR = 5_000;
const HOUR_MS = 3_600_000;

export interface TrafficFact {
  projectId: string;
  /** The route template (never the URL: it may hold token IDs). */
  route: string;
  /** `ok`, or the refusal code answered. */
  outcome: string;
  /** The caller's address, for calls made with the project's API key only (customers' servers). */
  caller?: string;
  /** Liveform admissions: plain or encrypted (ECB, GCM). */
  encryption?: 'plain' | 'ECB' | 'GCM' | '(other)';
  /** Liveform admissions: with a registered token, a token not registered, or none. */
  token?: 'registered' | 'unregistered' | 'none';
  /** The API key generation (rotation) the call was made with. */
  keyRotation?: number;
}

export interface TrafficRow {
  project_id: string;
  hour: string;
  route: string;
  outcome: string;
  caller: string;
  encryption: string;
  token: string;
  key_rotation: number;
  count: number;
}

const SEP = '\u0000';

export class TrafficCounter {
  private pending = new Map<string, TrafficRow>();
  /** Keys this process has counted per hour (kept for the current and the previous hour). */
  private seen = new Map<number, Set<string>>();
  constructor(private readonly maxKeys = DEFAULT_MAX_KEYS_PER_HOUR) {}

  count(fact: TrafficFact, at: Date): void {
    const hour = Math.floor(at.getTime() / HOUR_MS) * HOUR_MS;
    let seen = this.seen.get(hour);
    if (!seen) {
      seen = new Set();
      this.seen.set(hour, seen);
      for (const h of this.seen.keys()) if (h < hour - HOUR_MS) this.seen.delete(h);
    }
    let row = rowOf(fact, hour);
    let key = keyOf(row);
    if (!seen.has(key) && seen.size >= this.maxKeys) {
      row = { ...row, caller: row.caller ? OTHER : '' };
      key = keyOf(row);
      // The reserve bounds the per-project `(other)` rows; past it, one row for everything.
      if (!seen.has(key) && seen.size >= this.maxKeys + Math.ceil(this.maxKeys / 10)) {
        row = rowOf({ projectId: OTHER, route: OTHER, outcome: OTHER }, hour);
        key = keyOf(row);
      }
    }
    seen.add(key);
    const entry = this.pending.get(key);
    if (entry) entry.count++;
    else this.pending.set(key, row);
  }

  /** Takes what was counted since the last call. */
  drain(): TrafficRow[] {
    const rows = [...this.pending.values()];
    this.pending = new Map();
    return rows;
  }

  /** Puts back rows a failed flush could not write (added to what was counted since). */
  restore(rows: readonly TrafficRow[]): void {
    for (const row of rows) {
      const key = keyOf(row);
      const entry = this.pending.get(key);
      if (entry) entry.count += row.count;
      else this.pending.set(key, { ...row });
    }
  }

  get size(): number {
    return this.pending.size;
  }
}

function rowOf(fact: TrafficFact, hour: number): TrafficRow {
  return {
    project_id: fact.projectId.slice(0, 200),
    hour: isoFromEpochMs(hour),
    route: fact.route.slice(0, 100),
    outcome: fact.outcome.slice(0, 60),
    caller: (fact.caller ?? '').slice(0, 45),
    encryption: fact.encryption ?? '',
    token: fact.token ?? '',
    key_rotation: fact.keyRotation ?? 0,
    count: 1,
  };
}

function keyOf(r: TrafficRow): string {
  return `${r.hour}${SEP}${r.project_id}${SEP}${r.route}${SEP}${r.outcome}${SEP}${r.caller}${SEP}${r.encryption}${SEP}${r.token}${SEP}${r.key_rotation}`;
}
