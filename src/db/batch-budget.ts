// The worker's housekeeping in bounded batches: each batch is one short statement over at most
// `size` rows, and a tick runs at most `left` of them (shared by every kind of row it cleans), so a
// backlog is worked off over the next ticks, never in one long statement or one long tick.
export const DEFAULT_BATCH_SIZE = 5_000;
export const DEFAULT_MAX_BATCHES = 40;

export interface BatchBudget {
  readonly size: number;
  left: number;
  readonly shouldStop: () => boolean;
}

export function batchBudget(
  options: { batchSize?: number; maxBatches?: number; shouldStop?: () => boolean } = {},
): BatchBudget {
  return {
    size: options.batchSize ?? DEFAULT_BATCH_SIZE,
    left: options.maxBatches ?? DEFAULT_MAX_BATCHES,
    shouldStop: options.shouldStop ?? (() => false),
  };
}

/**
 * Runs `batch` (which handles at most `budget.size` rows and says how many it did) until one handles
 * fewer, the budget is spent or the worker is stopping. Returns the rows handled.
 */
export async function inBatches(budget: BatchBudget, batch: (size: number) => Promise<number>): Promise<number> {
  let total = 0;
  while (budget.left > 0 && !budget.shouldStop()) {
    budget.left--;
    const n = await batch(budget.size);
    total += n;
    if (n < budget.size) break;
  }
  return total;
}
