// One delivery pass of the worker: mark the time-based expiries that are due (their events join
// the outbox), then deliver every due event of every project with a webhook, a batch at a time.
// Each delivery is a signed POST of the stored payload; a 2xx marks it delivered, anything else is
// retried with backoff until the attempts are spent and the event is dead (`webhooks redrive`).
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { expireDueTokens } from '../tokens/expire-due.js';
import { DEFAULT_RETRY, retryDelayMs, type RetryPolicy } from './backoff.js';
import { claimDueEvents, markDelivered, markFailed, type ClaimedEvent } from './outbox.js';
import { postEvent, type FailureReason, type PostResult } from './post-event.js';
import { ATTEMPT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.js';
import { signingSecrets, type SigningSecret } from './webhook-secret.js';
import { checkWebhookUrl } from './webhook-url.js';
import { SEALED_CONTENT_TYPE, sealForProject } from '../transmit/seal-for-project.js';

export interface DeliveryOptions {
  /** The clock (tests inject one): timestamps, due times and the signature's t. */
  now: () => Date;
  /** This worker's name, recorded on the events it claims. */
  me: string;
  masterKey: () => Buffer;
  retry?: RetryPolicy;
  timeoutMs?: number;
  batchSize?: number;
  concurrency?: number;
  random?: () => number;
  shouldStop?: () => boolean;
  onDelivery?(outcome: DeliveryOutcome): void;
}

export interface DeliveryOutcome {
  eventId: string;
  projectId: string;
  attempt: number;
  outcome: 'delivered' | 'retry' | 'dead';
  reason?: FailureReason;
  error?: string;
}

export interface PassResult {
  expired: number;
  delivered: number;
  retried: number;
  dead: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_BATCH = 50;
const DEFAULT_CONCURRENCY = 8;
/** A claim outlives the request's timeout by this much, so a slow pass never loses its events to another worker. */
const LEASE_MARGIN_MS = 60_000;

async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}

export async function deliveryPass(db: Kysely<DatabaseSchema>, options: DeliveryOptions): Promise<PassResult> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const batch = options.batchSize ?? DEFAULT_BATCH;
  const stop = options.shouldStop ?? (() => false);
  const result: PassResult = { expired: 0, delivered: 0, retried: 0, dead: 0 };
  result.expired = (await expireDueTokens(db, options.now(), { shouldStop: stop })).expired;

  const secrets = new Map<string, Promise<SigningSecret[]>>();
  const secretsOf = (projectId: string) => {
    if (!secrets.has(projectId))
      secrets.set(projectId, signingSecrets(db, projectId, options.now(), options.masterKey));
    return secrets.get(projectId)!;
  };

  const attempt = async (event: ClaimedEvent): Promise<PostResult> => {
    const url = checkWebhookUrl(event.url);
    if (!url.ok) return { ok: false, reason: 'refused-url', error: `webhook URL refused: ${url.message}` };
    let signing: SigningSecret[];
    try {
      signing = await secretsOf(event.projectId);
    } catch (error) {
      return { ok: false, reason: 'signing', error: `cannot sign: ${(error as Error).message}` };
    }
    if (!signing.length)
      return {
        ok: false,
        reason: 'signing',
        error: 'cannot sign: the project has no signing secret (apply the webhook again)',
      };
    // Secure transmission on: the receiver gets the envelope its private key opens; the signature covers what is sent.
    let body = JSON.stringify(event.payload);
    const sealing: Record<string, string> = {};
    if (event.sealTo) {
      try {
        body = sealForProject(event.sealTo, body);
        sealing['content-type'] = SEALED_CONTENT_TYPE;
      } catch (error) {
        return {
          ok: false,
          reason: 'sealing',
          error: `cannot seal for secure transmission: ${(error as Error).message}`,
        };
      }
    }
    const t = Math.floor(options.now().getTime() / 1000);
    return postEvent({
      url: event.url,
      body,
      timeoutMs,
      headers: {
        [SIGNATURE_HEADER]: signatureHeader(
          signing.map((s) => s.secret),
          t,
          body,
        ),
        [EVENT_ID_HEADER]: event.id,
        [ATTEMPT_HEADER]: String(event.attempt),
        ...sealing,
      },
    });
  };

  const deliver = async (event: ClaimedEvent): Promise<void> => {
    const sent = await attempt(event);
    const now = options.now();
    const base = { eventId: event.id, projectId: event.projectId, attempt: event.attempt };
    if (sent.ok) {
      await markDelivered(db, event, options.me, now);
      result.delivered++;
      options.onDelivery?.({ ...base, outcome: 'delivered' });
      return;
    }
    const dead = event.attempt >= retry.maxAttempts;
    const retryAt = dead ? null : new Date(now.getTime() + retryDelayMs(event.attempt, retry, options.random));
    await markFailed(db, event, options.me, now, sent.error, retryAt);
    if (dead) result.dead++;
    else result.retried++;
    options.onDelivery?.({ ...base, outcome: dead ? 'dead' : 'retry', reason: sent.reason, error: sent.error });
  };

  while (!stop()) {
    const claimed = await claimDueEvents(db, {
      now: options.now(),
      limit: batch,
      leaseMs: timeoutMs + LEASE_MARGIN_MS,
      me: options.me,
    });
    await eachLimited(claimed, options.concurrency ?? DEFAULT_CONCURRENCY, deliver);
    if (claimed.length < batch) break;
  }
  return result;
}
