// `argosctl webhooks redrive`: give dead events (all of a project's, or one) a fresh set of
// attempts, due at once. A pending event named by --event is made due now too. A delivered event
// is not sent again: receivers deduplicate on Argos-Event-Id, and a second copy would only be dropped.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { UserError } from '../errors.js';
import { recordAuditEvent } from '../audit/record-event.js';
import { expirySubscribed } from '../tokens/token-events.js';

export type RedriveTarget = { event: string } | { allDead: true };

export interface RedriveResult {
  project: string;
  redriven: string[];
  /** The project has no webhook: the events wait until one is declared. */
  noWebhook: boolean;
}

export async function redrive(
  db: Kysely<DatabaseSchema>,
  project: string,
  target: RedriveTarget,
  actor = 'unknown',
): Promise<RedriveResult> {
  return db.transaction().execute(async (tx) => {
    const p = await tx
      .selectFrom('projects')
      .select(['webhook_url', expirySubscribed('projects').as('subscribed')])
      .where('id', '=', project)
      // Held until this re-drive commits: an apply that declares or removes the webhook meanwhile
      // waits, and its trigger then sees the events as parked (or not) here. Without the lock, a
      // webhook declared beside the re-drive left them parked for good (never delivered).
      .forShare()
      .executeTakeFirst();
    if (!p)
      throw new UserError(`project "${project}" does not exist`, 'check the project id, or apply its manifest first');
    let filter = sql`dead_at is not null`;
    if ('event' in target) {
      if (!/^[1-9][0-9]{0,18}$/.test(target.event))
        throw new UserError(
          `"${target.event.slice(0, 40)}" is not an event id`,
          'an id as `webhooks status` shows it, such as 42',
        );
      const row = await tx
        .selectFrom('token_events')
        .select(['delivered_at'])
        .where('project_id', '=', project)
        .where(sql<boolean>`id = cast(${target.event} as bigint)`)
        .forUpdate()
        .executeTakeFirst();
      if (!row)
        throw new UserError(
          `project "${project}" has no event ${target.event}`,
          'see `argosctl webhooks status PROJECT` for event ids',
        );
      if (row.delivered_at) {
        throw new UserError(
          `event ${target.event} was delivered at ${new Date(row.delivered_at).toISOString()}; it is not sent twice`,
          'receivers deduplicate on the Argos-Event-Id header; to test a receiver, cause a new event',
        );
      }
      filter = sql`id = cast(${target.event} as bigint)`;
    }
    const { rows } = await sql<{ id: string }>`
      update token_events set dead_at = null, attempts = 0, next_attempt_at = null, claimed_by = null,
        -- without a webhook for them, parked until one is declared (migration 017)
        parked = ${!p.subscribed}
      where project_id = ${project} and delivered_at is null and ${filter}
      returning id`.execute(tx);
    const redriven = rows.map((r) => String(r.id)).sort((a, b) => Number(a) - Number(b));
    if (redriven.length)
      await recordAuditEvent(tx, { kind: 'redrive', actor, projectId: project, detail: { events: redriven } });
    return { project, redriven, noWebhook: p.webhook_url === null };
  });
}
