// What `argosctl webhooks status` reports: per project with a webhook or with events, how many
// events are pending, delivered and dead, when the next retry is due, and the latest failures.
// Read-only. Error texts are the worker's own short words; renderers still escape them.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { UserError } from '../errors.js';

export interface WebhookFailure {
  eventId: string;
  attempts: number;
  at: string | null;
  error: string;
  dead: boolean;
}

export interface WebhookStatus {
  project: string;
  webhook: { url: string; events: string[]; secretRotation: number } | null;
  pending: number;
  delivered: number;
  dead: number;
  /** The earliest retry among pending events that have failed before. */
  nextRetryAt: string | null;
  /** Up to `failures` latest failed events (pending or dead), newest first. */
  recentFailures: WebhookFailure[];
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export async function webhookStatus(
  db: Kysely<DatabaseSchema>,
  project?: string,
  failures = 5,
): Promise<WebhookStatus[]> {
  if (project) {
    const found = await db.selectFrom('projects').select('id').where('id', '=', project).executeTakeFirst();
    if (!found)
      throw new UserError(`project "${project}" does not exist`, 'check the project id, or apply its manifest first');
  }
  const only = project ? sql`and p.id = ${project}` : sql``;
  const { rows } = await sql<{
    id: string;
    webhook_url: string | null;
    webhook_events: string[] | null;
    webhook_secret_rotation: number | null;
    pending: number;
    delivered: number;
    dead: number;
    next_retry_at: Date | null;
  }>`
    select p.id, p.webhook_url, p.webhook_events, p.webhook_secret_rotation,
           coalesce(c.pending, 0)::int as pending, coalesce(c.delivered, 0)::int as delivered,
           coalesce(c.dead, 0)::int as dead, c.next_retry_at
    from projects p
    left join (
      select project_id,
             count(*) filter (where delivered_at is null and dead_at is null) as pending,
             count(*) filter (where delivered_at is not null) as delivered,
             count(*) filter (where dead_at is not null) as dead,
             min(next_attempt_at) filter (where delivered_at is null and dead_at is null and attempts > 0)
               as next_retry_at
      from token_events group by project_id) c on c.project_id = p.id
    where (p.webhook_url is not null or c.project_id is not null) ${only}
    order by p.id`.execute(db);
  const failed =
    rows.length === 0
      ? []
      : (
          await sql<{
            project_id: string;
            id: string;
            attempts: number;
            last_attempt_at: Date | null;
            last_error: string;
            dead: boolean;
          }>`
    select project_id, id, attempts, last_attempt_at, last_error, dead from (
      select project_id, id, attempts, last_attempt_at, last_error, dead_at is not null as dead,
             row_number() over (partition by project_id order by last_attempt_at desc nulls last, id desc) as n
      from token_events
      where last_error is not null and delivered_at is null ${project ? sql`and project_id = ${project}` : sql``}) f
    where n <= ${failures}
    order by project_id, n`.execute(db)
        ).rows;
  return rows.map((r) => ({
    project: r.id,
    webhook:
      r.webhook_url === null
        ? null
        : { url: r.webhook_url, events: r.webhook_events ?? [], secretRotation: r.webhook_secret_rotation ?? 1 },
    pending: r.pending,
    delivered: r.delivered,
    dead: r.dead,
    nextRetryAt: iso(r.next_retry_at),
    recentFailures: failed
      .filter((f) => f.project_id === r.id)
      .map((f) => ({
        eventId: String(f.id),
        attempts: f.attempts,
        at: iso(f.last_attempt_at),
        error: f.last_error,
        dead: f.dead,
      })),
  }));
}
