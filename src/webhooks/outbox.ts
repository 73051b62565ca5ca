// The webhook outbox's delivery state (token_events): claiming due events and recording how each
// attempt ended (re-driving dead ones is redrive.ts). A claim is a lease: in one short transaction, due rows
// are locked with FOR UPDATE SKIP LOCKED (a replica never waits for, nor takes, another's rows),
// their attempt is counted and next_attempt_at moves to the end of the lease. Due rows come in
// the order they fell due (new events first, by id; then retries by their time), read from the
// index token_events_due (migration 017): a backlog waiting for its retries is never read past.
// The HTTP request then runs outside any transaction; if the worker dies meanwhile, the event is
// due again once the lease ends (at-least-once). The lease outlasts the request timeout, so no two
// workers hold one event.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import type { Json } from '../model/project-settings.js';

export interface ClaimedEvent {
  id: string;
  projectId: string;
  payload: Json;
  /** This attempt's number (1 for the first delivery). */
  attempt: number;
  url: string;
  /** The project's public key when it has secure transmission on: the body goes out sealed to it. */
  sealTo: string | null;
}

export interface ClaimOptions {
  now: Date;
  limit: number;
  leaseMs: number;
  me: string;
}

/** The claim as one statement (its plan is checked in test/webhooks/due-order.test.ts). */
export function claimStatement(options: ClaimOptions) {
  const leaseEnd = new Date(options.now.getTime() + options.leaseMs);
  return sql<{
    id: string;
    project_id: string;
    payload: Json;
    attempts: number;
    webhook_url: string;
    seal_to: string | null;
  }>`
    with due as (
      select e.id from token_events e
      join projects p on p.id = e.project_id
      where e.delivered_at is null and e.dead_at is null and not e.parked
        and coalesce(e.next_attempt_at, '-infinity'::timestamptz) <= ${options.now}
        and p.webhook_url is not null and p.webhook_events ? (e.payload->>'webhook_trigger')
      order by coalesce(e.next_attempt_at, '-infinity'::timestamptz), e.id
      limit ${options.limit}
      for update of e skip locked)
    update token_events e
    set attempts = e.attempts + 1, next_attempt_at = ${leaseEnd},
        last_attempt_at = ${options.now}, claimed_by = ${options.me}
    from due, projects p
    where e.id = due.id and p.id = e.project_id
    returning e.id, e.project_id, e.payload, e.attempts, p.webhook_url,
      case when p.secure_transmission then p.secure_transmission_public_key end as seal_to`;
}

export async function claimDueEvents(db: Kysely<DatabaseSchema>, options: ClaimOptions): Promise<ClaimedEvent[]> {
  const { rows } = await claimStatement(options).execute(db);
  return rows
    .map((r) => ({
      id: String(r.id),
      projectId: r.project_id,
      payload: r.payload,
      attempt: r.attempts,
      url: r.webhook_url,
      sealTo: r.seal_to,
    }))
    .sort((a, b) => Number(a.id) - Number(b.id));
}

/** Only the holder of this attempt may record its end (a lease that ran out was claimed again). */
const sameAttempt = (id: string, attempt: number, me: string) =>
  sql<boolean>`id = cast(${id} as bigint) and attempts = ${attempt} and claimed_by = ${me}`;

export async function markDelivered(
  db: Kysely<DatabaseSchema>,
  event: ClaimedEvent,
  me: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('token_events')
    .set({ delivered_at: now, next_attempt_at: null, last_error: null })
    .where(sameAttempt(event.id, event.attempt, me))
    .execute();
}

/** Our own words only; bounded so a stored error can never be a payload. */
export function shortError(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 200);
}

/**
 * A failed attempt: tried again at `retryAt`, or dead (retryAt null) when the attempts are spent. An
 * event parked meanwhile (its webhook removed) stays parked, with its retry time for when it is not.
 */
export async function markFailed(
  db: Kysely<DatabaseSchema>,
  event: ClaimedEvent,
  me: string,
  now: Date,
  error: string,
  retryAt: Date | null,
): Promise<void> {
  await db
    .updateTable('token_events')
    .set(
      retryAt
        ? { next_attempt_at: retryAt, last_error: shortError(error) }
        : { next_attempt_at: null, dead_at: now, last_error: shortError(error) },
    )
    .where(sameAttempt(event.id, event.attempt, me))
    .execute();
}
