// bench:serve's verdict per route (src/bench/route-summary.ts): a read is judged against the SELECT
// floor, a route that commits a write against the committing-UPDATE floor, the list route against a
// floor that reads the same page, and all by their p99 at the goal's load (at saturation when a run
// did not measure it).
import { describe, expect, it } from 'vitest';
import { median, roundsSummary } from '../../src/bench/route-rounds.js';
import { goalRate, routeSummary } from '../../src/bench/route-summary.js';

const run = (rps: number, p99 = 10) => ({ rps, p99, ok: rps * 10, non2xx: 0 });

describe('routeSummary', () => {
  const results = {
    floorSelect: run(10_000),
    floorWrite: run(5_000),
    floorPage: run(2_000),
    list: run(1_100),
    get: run(5_100),
    count: run(7_000),
    delete: run(2_600),
    complete: run(2_400),
    check: run(6_000, 40),
  };
  const verdict = (route: string) => routeSummary(results).find((v) => v.route.startsWith(route))!;

  it('judges a read against the SELECT floor (the count against 0.8 of it)', () => {
    expect(verdict('GET /v1/projects/{pid}/tokens/{tokenId}')).toMatchObject({ ratioToFloor: 0.51, met: true });
    expect(verdict('GET /v1/projects/{pid}/tokens/count')).toMatchObject({ ratioToFloor: 0.7, met: false });
  });

  it('judges a write against the committing-UPDATE floor, and shows both ratios', () => {
    expect(verdict('DELETE')).toMatchObject({ ratioToFloor: 0.26, ratioToWriteFloor: 0.52, met: true });
    expect(verdict('POST /v1/liveform/sessions')).toMatchObject({ ratioToWriteFloor: 0.48, met: false });
  });

  it('judges the list route against the floor that reads and sends the same page', () => {
    const list = routeSummary(results).find((v) => v.route === 'GET /v1/projects/{pid}/tokens')!;
    expect(list).toMatchObject({ ratioToFloor: 0.11, ratioToPageFloor: 0.55, met: true });
    expect(list.ratioToWriteFloor).toBeUndefined();
  });

  it('judges the 500-ID batches against the floor that inserts the same 500 rows, with IDs/s beside', () => {
    const batch = (rps: number, p99: number) => ({ ...run(rps, p99), idsPerSecond: rps * 500 });
    const verdicts = routeSummary({
      ...results,
      floorBatch: run(200, 20),
      register: batch(110, 20),
      import: batch(90, 20),
    });
    const register = verdicts.find((v) => v.route.startsWith('POST /v1/projects/{pid}/tokens ('))!;
    const imported = verdicts.find((v) => v.route.includes('/import'))!;
    expect(register).toMatchObject({ ratioToFloor: 0.01, ratioToBatchFloor: 0.55, met: true, idsPerSecond: 55_000 });
    expect(imported).toMatchObject({ ratioToBatchFloor: 0.45, met: false });
    expect(register.ratioToPageFloor).toBeUndefined();
  });

  it('fails a route whose p99 is over 25 ms, whatever its rate', () => {
    expect(verdict('POST /v1/liveform/check')).toMatchObject({ ratioToFloor: 0.6, p99: 40, met: false });
  });
});

describe('the p99 at the goal load', () => {
  const floors = { floorSelect: run(10_000), floorWrite: run(5_000), floorPage: run(2_000) };
  const atRate = (offered: number, rps: number, p99: number, non2xx = 0) => ({ offered, rps, p50: 2, p99, non2xx });
  const judge = (atGoalRate: ReturnType<typeof atRate>) =>
    routeSummary({ ...floors, delete: { ...run(2_600, 60), atGoalRate } }).find((v) => v.route.startsWith('DELETE'))!;

  it('offers each route its goal ratio of the floor it is judged by', () => {
    expect(goalRate('count', floors)).toBe(8_000);
    expect(goalRate('get', floors)).toBe(5_000);
    expect(goalRate('delete', floors)).toBe(2_500);
    expect(goalRate('list', floors)).toBe(1_000);
    expect(goalRate('register', floors)).toBeUndefined(); // before its floor was measured
    expect(goalRate('register', { ...floors, floorBatch: run(200) })).toBe(100);
    expect(goalRate('import', { ...floors, floorBatch: run(200) })).toBe(100);
    expect(goalRate('count', { floorWrite: run(5_000) })).toBeUndefined();
  });

  it('judges the p99 at that load, not the saturated one', () => {
    const v = judge(atRate(2_500, 2_500, 12));
    expect(v).toMatchObject({ p99: 60, atGoalRate: { p99: 12 }, met: true });
    expect(judge(atRate(2_500, 2_500, 26)).met).toBe(false);
  });

  it("holds a route to its floor's own p99 at half the floor's rate where that floor could not keep within 25 ms", () => {
    const slowFloor = { ...floors, floorWrite: { ...run(5_000), atHalfRate: { p99: 60 } } };
    const judgeOn = (f: typeof slowFloor, p99: number) =>
      routeSummary({ ...f, delete: { ...run(2_600, 90), atGoalRate: atRate(2_500, 2_500, p99) } }).find((v) =>
        v.route.startsWith('DELETE'),
      )!;
    expect(judgeOn(slowFloor, 55)).toMatchObject({ p99Bound: 60, met: true });
    expect(judgeOn(slowFloor, 61)).toMatchObject({ p99Bound: 60, met: false });
    const fastFloor = { ...floors, floorWrite: { ...run(5_000), atHalfRate: { p99: 12 } } };
    expect(judgeOn(fastFloor, 26)).toMatchObject({ p99Bound: 25, met: false });
    // the bound is the floor the route is judged by: a read is not held to the write floor's
    const read = routeSummary({ ...slowFloor, get: { ...run(5_100), atGoalRate: atRate(5_000, 5_000, 40) } });
    expect(read.find((v) => v.route.startsWith('GET /v1/projects/{pid}/tokens/{'))).toMatchObject({
      p99Bound: 25,
      met: false,
    });
  });

  it('fails a route that did not keep up with the load, or refused some of it, however fast it answered', () => {
    expect(judge(atRate(2_500, 2_400, 5)).met).toBe(false);
    expect(judge(atRate(2_500, 2_430, 5)).met).toBe(true);
    expect(judge(atRate(2_500, 2_500, 5, 1)).met).toBe(false);
  });
});

describe('roundsSummary (bench:serve --rounds N)', () => {
  const verdicts = (count: number, checkP99 = 10) =>
    routeSummary({
      floorSelect: run(10_000),
      floorWrite: run(5_000),
      count: run(count),
      delete: run(2_600),
      check: run(5_000, checkP99),
    });

  it('judges each route on the median of its per-round ratios, with the range and the rounds that met', () => {
    const summary = roundsSummary([verdicts(8_500), verdicts(7_000), verdicts(8_200)]);
    const count = summary.find((v) => v.route === 'GET /v1/projects/{pid}/tokens/count')!;
    expect(count).toMatchObject({ rounds: 3, rps: 8_200, ratioToFloor: 0.82, judgedRange: [0.7, 0.85], met: true });
    expect(count.metInRounds).toBe(2);
    const del = summary.find((v) => v.route.startsWith('DELETE'))!;
    expect(del).toMatchObject({ ratioToWriteFloor: 0.52, judgedRange: [0.52, 0.52], met: true, metInRounds: 3 });
  });

  it('fails a route whose latency failed in most rounds, and leaves out a route missing from a round', () => {
    const summary = roundsSummary([verdicts(8_500, 40), verdicts(8_500, 30), verdicts(8_500, 10)]);
    expect(summary.find((v) => v.route === 'POST /v1/liveform/check')).toMatchObject({
      p99: 30,
      latencyMetInRounds: 1,
      met: false,
    });
    const twoOfThree = roundsSummary([verdicts(8_500, 40), verdicts(8_500, 20), verdicts(8_500, 10)]);
    expect(twoOfThree.find((v) => v.route === 'POST /v1/liveform/check')).toMatchObject({ p99: 20, met: true });
    const partial = roundsSummary([verdicts(8_500), routeSummary({ floorSelect: run(10_000), count: run(8_000) })]);
    expect(partial.map((v) => v.route)).toEqual(['GET /v1/projects/{pid}/tokens/count']);
  });

  it('takes the median of an even number of rounds as the mean of the middle two', () => {
    expect(median([1, 4, 2, 3])).toBe(2.5);
    expect(median([0.5])).toBe(0.5);
  });
});
