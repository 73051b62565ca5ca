// The verdict of `npm run bench:serve`, one row per route: its requests/s as a ratio to the floor
// measured in the same run (one prepared SELECT through the same pool and HTTP stack), its p99,
// and whether it meets issue 21's goals: at least half the floor (the token count 0.8 of it),
// p99 at most 25 ms, and admissions at least 3,000 requests/s. A route that commits a write is
// judged against the floor of its kind (one committing UPDATE: the WAL flush no write can skip;
// that floor itself runs at about half the SELECT floor, so half of the SELECT floor would ask a
// write to be as fast as the fastest possible write). The list route answers a page of 100 tokens,
// so it is judged against a floor that reads and sends the same page (one prepared SELECT of 100
// rows): against a one-row SELECT it would be asked to read 100 rows in the time of one. The batch
// routes (register and import, 500 IDs a request) carry IDs/s beside: a batch is 500 rows, not one
// statement.
interface Measured {
  rps: number;
  p99: number;
  ok: number;
  non2xx: number;
  idsPerSecond?: number;
}

export interface RouteVerdict {
  route: string;
  rps: number;
  p99: number;
  ratioToFloor: number;
  /** Writes: requests/s over the committing-UPDATE floor's. */
  ratioToWriteFloor?: number;
  /** The list route: requests/s over the floor's that reads and sends the same page. */
  ratioToPageFloor?: number;
  goalRatio: number;
  met: boolean;
  non2xx: number;
  idsPerSecond?: number;
}

type FloorKind = 'select' | 'write' | 'page';

const ROUTES: [key: string, route: string, goalRatio: number, judgedBy: FloorKind][] = [
  ['count', 'GET /v1/projects/{pid}/tokens/count', 0.8, 'select'],
  ['get', 'GET /v1/projects/{pid}/tokens/{tokenId}', 0.5, 'select'],
  ['list', 'GET /v1/projects/{pid}/tokens', 0.5, 'page'],
  ['check', 'POST /v1/liveform/check', 0.5, 'select'],
  ['admission', 'POST /v1/liveform/start', 0.5, 'write'],
  ['complete', 'POST /v1/liveform/sessions/{id}/complete', 0.5, 'write'],
  ['delete', 'DELETE /v1/projects/{pid}/tokens (one ID)', 0.5, 'write'],
  ['register', 'POST /v1/projects/{pid}/tokens (500 IDs)', 0.5, 'select'],
  ['import', 'POST /v1/projects/{pid}/tokens/import (500 IDs)', 0.5, 'select'],
];

const ratio = (rps: number, floor: Measured | undefined) =>
  floor ? Math.round((rps / floor.rps) * 100) / 100 : Number.NaN;

export const P99_GOAL_MS = 25;
export const ADMISSIONS_GOAL_RPS = 3000;

const ADMISSION_ROUTE = 'POST /v1/liveform/start';

/** Issue 21's goal for one route: its ratio to the floor it is judged by, its p99, and for admissions 3,000 a second. */
export function meetsGoal(route: string, judged: number, goalRatio: number, p99: number, rps: number): boolean {
  return judged >= goalRatio && p99 <= P99_GOAL_MS && (route !== ADMISSION_ROUTE || rps >= ADMISSIONS_GOAL_RPS);
}

/** The ratio a route is judged by: to its own floor where it has one, else to the SELECT floor. */
export function judgedRatio(v: RouteVerdict): number {
  return v.ratioToWriteFloor ?? v.ratioToPageFloor ?? v.ratioToFloor;
}

export function routeSummary(results: Record<string, unknown>): RouteVerdict[] {
  const floor = results.floorSelect as Measured | undefined;
  const floors: Record<Exclude<FloorKind, 'select'>, Measured | undefined> = {
    write: results.floorWrite as Measured | undefined,
    page: results.floorPage as Measured | undefined,
  };
  const verdicts: RouteVerdict[] = [];
  for (const [key, route, goalRatio, judgedBy] of ROUTES) {
    const m = results[key] as Measured | undefined;
    if (!m) continue;
    const ratioToFloor = ratio(m.rps, floor);
    const own = judgedBy === 'select' ? undefined : floors[judgedBy];
    const judged = own ? ratio(m.rps, own) : ratioToFloor;
    const met = meetsGoal(route, judged, goalRatio, m.p99, m.rps);
    verdicts.push({
      route,
      rps: m.rps,
      p99: m.p99,
      ratioToFloor,
      ...(judgedBy === 'write' && own ? { ratioToWriteFloor: judged } : {}),
      ...(judgedBy === 'page' && own ? { ratioToPageFloor: judged } : {}),
      goalRatio,
      met,
      non2xx: m.non2xx,
      ...(m.idsPerSecond ? { idsPerSecond: m.idsPerSecond } : {}),
    });
  }
  return verdicts;
}
