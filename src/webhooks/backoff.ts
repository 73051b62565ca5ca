// When a failed delivery is tried again: exponential (base · 2^(attempt-1)) up to a cap, with
// "equal jitter" (a random point in the upper half of the step), so the receivers of many
// projects that fail at once are not all retried at the same instant. `random` is injected by tests.
export interface RetryPolicy {
  /** Attempts before an event is dead (the first delivery counts). */
  maxAttempts: number;
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 12, baseMs: 30_000, capMs: 6 * 3600_000 };

/** The wait after failed attempt number `attempt` (1-based). */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt - 1, 40));
  return Math.round(step / 2 + (step / 2) * random());
}
