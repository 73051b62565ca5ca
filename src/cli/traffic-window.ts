// --traffic-window: how far back plan, apply and github comment read the traffic facts `serve`
// recorded, to say what each change would have refused. Read with the database state, outside
// the planner; the database is named without credentials.
import { Option, InvalidArgumentError } from 'commander';
import type { Kysely } from 'kysely';
import { parseDatabaseUrl } from '../db/database-url.js';
import { DEFAULT_TRAFFIC_WINDOW_MS, readTrafficFacts } from '../db/read-traffic.js';
import type { DatabaseSchema } from '../db/schema.js';
import type { TrafficFacts } from '../plan/traffic-types.js';
import { parseDurationMs } from './options.js';

const MAX_WINDOW_MS = 90 * 86_400_000;

function windowMs(value: string): number {
  const ms = parseDurationMs(value);
  if (ms < 3_600_000 || ms > MAX_WINDOW_MS)
    throw new InvalidArgumentError('expected a duration from 1h to 90d, such as 7d or 24h');
  return ms;
}

export const trafficWindowOption = () =>
  new Option(
    '--traffic-window <duration>',
    'how far back to replay the traffic serve recorded, to show what each change would have refused (1h to 90d)',
  )
    .argParser(windowMs)
    .default(DEFAULT_TRAFFIC_WINDOW_MS, '7d');

export function readTrafficWindow(
  db: Kysely<DatabaseSchema>,
  url: string,
  cwd: string,
  window: number,
  only?: readonly string[],
): Promise<TrafficFacts> {
  return readTrafficFacts(db, {
    windowMs: window,
    now: new Date(),
    source: parseDatabaseUrl(url, cwd).display,
    only,
  });
}
