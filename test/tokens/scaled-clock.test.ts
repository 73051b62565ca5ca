// worker --clock-speed (hidden; benches and tests): clocks given the same origin and speed agree
// whenever they are read, so workers started at different moments share their 10-minute ticks.
import { describe, expect, it } from 'vitest';
import { scaledClock } from '../../src/tokens/scaled-clock.js';
import { tickOf } from '../../src/tokens/worker.js';

const ORIGIN = new Date('2026-12-05T00:00:00Z');

describe('scaledClock', () => {
  it('runs N times as fast from the origin, and two clocks with the same origin and speed read the same time', () => {
    let wall = ORIGIN.getTime() + 2000;
    const a = scaledClock(ORIGIN, 600, () => wall);
    const b = scaledClock(ORIGIN, 600, () => wall);
    expect(a.now().toISOString()).toBe('2026-12-05T00:20:00.000Z');
    wall += 1000; // one real second: ten minutes, one tick further
    expect(tickOf(a.now()).toISOString()).toBe('2026-12-05T00:30:00.000Z');
    expect(b.now()).toEqual(a.now());
  });

  it('a sleep lasts 1/N of the asked time, and ends at once when stopped', async () => {
    const clock = scaledClock(ORIGIN, 600_000);
    const stop = new AbortController();
    const started = Date.now();
    await clock.sleep(10 * 60 * 1000, stop.signal); // 1 ms of real time at this speed
    stop.abort();
    await clock.sleep(60 * 60 * 1000, stop.signal);
    expect(Date.now() - started).toBeLessThan(60 * 60 * 1000);
  });
});
