// Traffic facts as the plan reads them, and what the plan says about them: for each change that
// restricts traffic, what it would have refused over the window (traffic-impact.ts computes it).

/** One row of traffic_facts summed per day (the reader's output; the plan's input). */
export interface TrafficFactRow {
  projectId: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  route: string;
  outcome: string;
  /** The caller's address for calls made with the API key; '' for admissions; '(other)' past the cap. */
  caller: string;
  encryption: string;
  token: string;
  keyRotation: number;
  count: number;
}

/** What was read: the window, where from, and the facts (or why they could not be read). */
export interface TrafficFacts {
  /** The window as given (`7d`). */
  window: string;
  since: string;
  until: string;
  /** The database, named without credentials. */
  source: string;
  rows: TrafficFactRow[];
  /** The facts could not be read (e.g. the plan role was granted before migration 012). */
  unreadable?: string;
}

export const TRAFFIC_IMPACT_KINDS = [
  'api-whitelist',
  'encryption-method',
  'encrypted-only',
  'pre-registration',
  'close',
  'emergency-stop',
  'revoke-api-key',
  'rotate-api-key',
] as const;
export type TrafficImpactKind = (typeof TRAFFIC_IMPACT_KINDS)[number];

export interface TrafficImpact {
  projectId: string;
  kind: TrafficImpactKind;
  /** The manifest paths of the change(s) behind it. */
  paths: string[];
  /** Calls (Token API, with the API key) or Liveform admissions it would have refused in the window. */
  refused: number;
  unit: 'calls' | 'admissions';
  /** Everything the project's traffic facts counted in the window (calls and admissions). */
  projectTotal: number;
  /** api-whitelist: the callers outside the new list, most calls first (at most 5). */
  addresses?: { distinct: number; top: { address: string; calls: number }[]; unattributed: number };
  /** close, emergency-stop: admissions per day of the window. */
  perDay?: { day: string; admissions: number }[];
  /** encryption-method: the methods the change stops accepting. */
  methods?: string[];
  /** revoke/rotate-api-key: calls per key generation; `graceSeconds` how long retired ones keep working. */
  generations?: { rotation: number; calls: number }[];
  graceSeconds?: number;
  /** rotate-api-key: calls made with the current key, which must move to the new one within the grace. */
  currentKeyCalls?: number;
}

export interface PlanTraffic {
  window: string;
  since: string;
  until: string;
  source: string;
  /** Any traffic fact of the planned projects in the window. */
  recorded: boolean;
  unreadable?: string;
  /** The refuseThreshold in force (percent of the project's window traffic), from the trusted argosctl.yaml. */
  thresholdPercent: number;
  impacts: TrafficImpact[];
}

/** Share of the project's window traffic an impact would have refused, in percent. */
export function refusedPercent(i: Pick<TrafficImpact, 'refused' | 'projectTotal'>): number {
  return i.projectTotal > 0 ? (100 * i.refused) / i.projectTotal : 0;
}

export const DEFAULT_REFUSE_THRESHOLD_PERCENT = 1;

/** `traffic.refuseThreshold` of argosctl.yaml in percent (`1%`, `0.5%` or a number; default 1). */
export function refuseThresholdPercent(value: string | number | undefined): number {
  if (value === undefined) return DEFAULT_REFUSE_THRESHOLD_PERCENT;
  return typeof value === 'number' ? value : Number(value.replace(/%$/, ''));
}
