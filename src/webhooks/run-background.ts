// What `argosctl worker` (and `serve --worker`) run side by side until stopped: the 10-minute
// prune tick (tokens/worker.ts) and the delivery loop every few seconds (delivery-loop.ts).
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { runWorker, type Clock, type TickOutcome } from '../tokens/worker.js';
import type { RetryPolicy } from './backoff.js';
import type { DeliveryOutcome, PassResult } from './delivery-pass.js';
import { runDeliveryLoop } from './delivery-loop.js';

export interface BackgroundOptions {
  signal: AbortSignal;
  me: string;
  masterKey: () => Buffer;
  clock?: Clock;
  /** One prune tick and one delivery pass, then return. */
  once?: boolean;
  deliveryIntervalMs?: number;
  retry?: RetryPolicy;
  timeoutMs?: number;
  onTick?(outcome: TickOutcome): void;
  onTickError?(tick: Date, error: unknown): void;
  onPass?(result: PassResult): void;
  onPassError?(error: unknown): void;
  onDelivery?(outcome: DeliveryOutcome): void;
}

export async function runBackground(db: Kysely<DatabaseSchema>, o: BackgroundOptions): Promise<void> {
  const limit = o.once ? 1 : undefined;
  await Promise.all([
    runWorker(db, {
      clock: o.clock,
      me: o.me,
      signal: o.signal,
      maxTicks: limit,
      onTick: o.onTick,
      onError: o.onTickError,
    }),
    runDeliveryLoop(db, {
      clock: o.clock,
      me: o.me,
      signal: o.signal,
      maxPasses: limit,
      masterKey: o.masterKey,
      intervalMs: o.deliveryIntervalMs,
      retry: o.retry,
      timeoutMs: o.timeoutMs,
      onPass: o.onPass,
      onError: o.onPassError,
      onDelivery: o.onDelivery,
    }),
  ]);
}
