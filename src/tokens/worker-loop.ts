// The worker: one loop object that `argosctl worker` and `serve --worker` both run, so the two
// cannot drift apart. It runs side by side, until stopped: the 10-minute tick (prune pass and
// session retention, tokens/worker.ts) and the delivery loop every few seconds (time expiries
// and webhook deliveries, webhooks/delivery-loop.ts). The clock is injectable (tests).
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import type { RetryPolicy } from '../webhooks/backoff.js';
import type { DeliveryOutcome, PassResult } from '../webhooks/delivery-pass.js';
import { runDeliveryLoop } from '../webhooks/delivery-loop.js';
import { runWorker, type Clock, type TickOutcome } from './worker.js';

export interface WorkerLoopOptions {
  me: string;
  masterKey: () => Buffer;
  clock?: Clock;
  /** One prune tick and one delivery pass, then the loop ends. */
  once?: boolean;
  deliveryIntervalMs?: number;
  retry?: RetryPolicy;
  timeoutMs?: number;
  /** Liveform sessions and token uses older than this are removed at each tick (default 30 days). */
  sessionRetentionMs?: number;
  /** Traffic facts older than this are removed at each tick (default 30 days). */
  trafficRetentionMs?: number;
  /** Webhook events delivered or dead before this are removed at each tick (default 30 days). */
  eventRetentionMs?: number;
  onTick?(outcome: TickOutcome): void;
  onTickError?(tick: Date, error: unknown): void;
  onPass?(result: PassResult): void;
  onPassError?(error: unknown): void;
  onDelivery?(outcome: DeliveryOutcome): void;
}

export interface WorkerLoop {
  /** Settles when both schedules have stopped (after `stop()`, or after one round with `once`). */
  readonly done: Promise<void>;
  /** Asks both schedules to stop after their current batch. */
  stop(): void;
}

/** Starts the worker on `db`; `signal` (optional) stops it like `stop()`. */
export function workerLoop(db: Kysely<DatabaseSchema>, o: WorkerLoopOptions, signal?: AbortSignal): WorkerLoop {
  const stopping = new AbortController();
  if (signal) {
    if (signal.aborted) stopping.abort();
    else signal.addEventListener('abort', () => stopping.abort(), { once: true });
  }
  const limit = o.once ? 1 : undefined;
  const done = Promise.all([
    runWorker(db, {
      clock: o.clock,
      me: o.me,
      signal: stopping.signal,
      maxTicks: limit,
      sessionRetentionMs: o.sessionRetentionMs,
      trafficRetentionMs: o.trafficRetentionMs,
      eventRetentionMs: o.eventRetentionMs,
      onTick: o.onTick,
      onError: o.onTickError,
    }),
    runDeliveryLoop(db, {
      clock: o.clock,
      me: o.me,
      signal: stopping.signal,
      maxPasses: limit,
      masterKey: o.masterKey,
      intervalMs: o.deliveryIntervalMs,
      retry: o.retry,
      timeoutMs: o.timeoutMs,
      onPass: o.onPass,
      onError: o.onPassError,
      onDelivery: o.onDelivery,
    }),
  ]).then(() => undefined);
  return { done, stop: () => stopping.abort() };
}
