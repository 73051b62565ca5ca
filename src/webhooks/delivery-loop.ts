// The worker's delivery schedule: a pass every `intervalMs` (a few seconds), independent of the
// 10-minute prune tick, so a webhook goes out, and a time-based expiry is noticed, within one
// interval of happening. Any number of replicas may run it: claims never overlap (outbox.ts).
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { systemClock, type Clock } from '../tokens/worker.js';
import { deliveryPass, type DeliveryOptions, type PassResult } from './delivery-pass.js';

export const DEFAULT_DELIVERY_INTERVAL_MS = 5_000;

export interface DeliveryLoopOptions extends Omit<DeliveryOptions, 'now' | 'shouldStop'> {
  clock?: Clock;
  signal: AbortSignal;
  intervalMs?: number;
  onPass?(result: PassResult): void;
  /** A pass that failed (database down, a bug): reported, and the loop goes on. */
  onError?(error: unknown): void;
  /** Stop after this many passes (tests, `worker --once`). */
  maxPasses?: number;
}

export async function runDeliveryLoop(db: Kysely<DatabaseSchema>, options: DeliveryLoopOptions): Promise<void> {
  const clock = options.clock ?? systemClock;
  const { signal } = options;
  for (let passes = 0; !signal.aborted; ) {
    try {
      options.onPass?.(
        await deliveryPass(db, { ...options, now: () => clock.now(), shouldStop: () => signal.aborted }),
      );
    } catch (error) {
      options.onError?.(error);
    }
    if (options.maxPasses !== undefined && ++passes >= options.maxPasses) return;
    await clock.sleep(options.intervalMs ?? DEFAULT_DELIVERY_INTERVAL_MS, signal);
  }
}
