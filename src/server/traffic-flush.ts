// Adds the counted traffic to traffic_facts in one statement per flush: an additive upsert, so any
// number of replicas add to the same rows without losing a count. Runs every few seconds and once
// more when the server closes (SIGTERM: app.close()). A failed flush keeps its rows for the next.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import type { TrafficCounter, TrafficRow } from './traffic-counter.js';

export const DEFAULT_TRAFFIC_FLUSH_MS = 5_000;

export async function addTrafficRows(db: Kysely<DatabaseSchema>, rows: readonly TrafficRow[]): Promise<void> {
  if (!rows.length) return;
  await sql`
    insert into traffic_facts (project_id, hour, route, outcome, caller, encryption, token, key_rotation, count)
    select r.project_id, r.hour, r.route, r.outcome, r.caller, r.encryption, r.token, r.key_rotation, r.count
    from jsonb_to_recordset(cast(${JSON.stringify(rows)} as jsonb)) as r(
      project_id text, hour timestamptz, route text, outcome text, caller text, encryption text, token text,
      key_rotation integer, count bigint)
    on conflict (project_id, hour, route, outcome, caller, encryption, token, key_rotation)
    do update set count = traffic_facts.count + excluded.count`.execute(db);
}

export class TrafficFlusher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly counter: TrafficCounter,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(intervalMs = DEFAULT_TRAFFIC_FLUSH_MS): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** One flush at a time; a call while one runs waits for it and then flushes what came since. */
  flush(): Promise<void> {
    this.running = this.running.then(async () => {
      const rows = this.counter.drain();
      try {
        await addTrafficRows(this.db, rows);
      } catch (error) {
        this.counter.restore(rows);
        this.onError(error);
      }
    });
    return this.running;
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
