// `bench:serve --rounds N`: the verdict of N whole runs (each its own process, database and
// floors), route by route. On a shared machine one run's ratio to its floor moves by ±15% from run
// to run (BENCHMARKS.md, first run of 2026-12-07), so a goal of 0.5 met or missed in one run says
// little; the median of each route's per-run ratio does, with the spread beside it.
import { judgedRatio, latencyMet, meetsGoal, type RouteVerdict } from './route-summary.js';

export interface RoundsVerdict {
  route: string;
  rounds: number;
  /** Medians over the rounds of the route's requests/s, p99 and ratios. */
  rps: number;
  p99: number;
  /** Median p99 when offered the goal's load, where the rounds measured it. */
  p99AtGoalRate?: number;
  /** Rounds whose route, offered the goal's load, answered it all within its bound (p99Bound) at the 99th percentile. */
  latencyMetInRounds: number;
  ratioToFloor: number;
  ratioToWriteFloor?: number;
  ratioToPageFloor?: number;
  ratioToBatchFloor?: number;
  /** The lowest and highest ratio the route was judged by, one per round. */
  judgedRange: [number, number];
  goalRatio: number;
  /** The goal, judged on the medians. */
  met: boolean;
  /** Rounds whose own verdict met the goal. */
  metInRounds: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : Math.round(((sorted[mid - 1] + sorted[mid]) / 2) * 100) / 100;
}

/** Each route found in every round, summarised; a route missing from a round is left out. */
export function roundsSummary(rounds: readonly (readonly RouteVerdict[])[]): RoundsVerdict[] {
  if (rounds.length === 0) return [];
  const out: RoundsVerdict[] = [];
  for (const first of rounds[0]) {
    const runs = rounds.map((r) => r.find((v) => v.route === first.route));
    if (runs.some((v) => v === undefined)) continue;
    const all = runs as RouteVerdict[];
    const of = (pick: (v: RouteVerdict) => number | undefined) => {
      const values = all.map(pick);
      return values.every((x) => x !== undefined) ? median(values as number[]) : undefined;
    };
    const judged = all.map(judgedRatio);
    const rps = of((v) => v.rps)!;
    const p99 = of((v) => v.p99)!;
    const p99AtGoalRate = of((v) => v.atGoalRate?.p99);
    const latencyMetInRounds = all.filter((v) => latencyMet(v.p99, v.atGoalRate, v.p99Bound)).length;
    const writeFloor = of((v) => v.ratioToWriteFloor);
    const pageFloor = of((v) => v.ratioToPageFloor);
    const batchFloor = of((v) => v.ratioToBatchFloor);
    out.push({
      route: first.route,
      rounds: all.length,
      rps,
      p99,
      ...(p99AtGoalRate !== undefined ? { p99AtGoalRate } : {}),
      latencyMetInRounds,
      ratioToFloor: of((v) => v.ratioToFloor)!,
      ...(writeFloor !== undefined ? { ratioToWriteFloor: writeFloor } : {}),
      ...(pageFloor !== undefined ? { ratioToPageFloor: pageFloor } : {}),
      ...(batchFloor !== undefined ? { ratioToBatchFloor: batchFloor } : {}),
      judgedRange: [Math.min(...judged), Math.max(...judged)],
      goalRatio: first.goalRatio,
      // The latency part holds when it held in most rounds (the median round's verdict).
      met: meetsGoal(first.route, median(judged), first.goalRatio, latencyMetInRounds * 2 > all.length, rps),
      metInRounds: all.filter((v) => v.met).length,
    });
  }
  return out;
}
