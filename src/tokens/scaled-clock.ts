// A clock that runs faster than the wall clock, for `worker --clock-speed` (hidden: benches and
// tests only). `npm run bench:replicas` and a test need several 10-minute prune ticks, raced by
// several workers, without waiting 10 real minutes each: every worker given the same origin and
// speed reads the same time, so their ticks line up as they would on real clocks.
import type { Clock } from './worker.js';

/**
 * Time starts at `origin` when the wall clock reads `origin` and runs `speed` times as fast;
 * sleeps last 1/`speed` of the asked time. Processes sharing origin and speed share the time.
 */
export function scaledClock(origin: Date, speed: number, wall: () => number = Date.now): Clock {
  const o = origin.getTime();
  return {
    now: () => new Date(o + (wall() - o) * speed),
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        if (signal.aborted) return resolve();
        const timer = setTimeout(resolve, Math.max(1, ms / speed));
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      }),
  };
}
