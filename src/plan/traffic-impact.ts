// What each change that restricts traffic would have refused, had it been in force over the
// window: a replay of the traffic facts `serve` recorded against the new settings. Pure: the
// facts are read by the caller (src/db/read-traffic.ts) and passed in with both settings.
import type { ProjectSettings } from '../model/project-settings.js';
import { ipAllowed } from '../server/project-access.js';
import type { Change } from './plan-types.js';
import type { TrafficFactRow, TrafficImpact } from './traffic-types.js';

export const ADMISSION_ROUTE = '/v1/liveform/start';
const OTHER = '(other)';
/** Refused before the address was checked, or by it: a narrower list changes nothing for them. */
const NOT_PAST_THE_KEY = new Set(['invalid_api_key', 'ip_not_allowed']);
/** The previous API key's grace when the manifest says none (api-key.ts). */
const DEFAULT_API_KEY_GRACE_SECONDS = 86_400;

const sum = (rows: readonly TrafficFactRow[]) => rows.reduce((n, r) => n + r.count, 0);

function byKey<T>(rows: readonly TrafficFactRow[], key: (r: TrafficFactRow) => T): Map<T, number> {
  const out = new Map<T, number>();
  for (const r of rows) out.set(key(r), (out.get(key(r)) ?? 0) + r.count);
  return out;
}

/** Ranges the new list no longer has (or a first list where there was none: everyone was allowed). */
const narrowed = (before: readonly string[], after: readonly string[]) =>
  after.length > 0 && (before.length === 0 || before.some((r) => !after.includes(r)));

export interface ImpactInputs {
  changes: readonly Change[];
  before: ReadonlyMap<string, ProjectSettings>;
  after: ReadonlyMap<string, ProjectSettings>;
  facts: readonly TrafficFactRow[];
}

export function trafficImpacts(inputs: ImpactInputs): TrafficImpact[] {
  const factsOf = new Map<string, TrafficFactRow[]>();
  for (const r of inputs.facts) factsOf.set(r.projectId, [...(factsOf.get(r.projectId) ?? []), r]);
  const pathsOf = new Map<string, Set<string>>();
  for (const c of inputs.changes) {
    if (c.action === 'create') continue;
    pathsOf.set(c.projectId, (pathsOf.get(c.projectId) ?? new Set()).add(c.path));
  }
  const impacts: TrafficImpact[] = [];
  for (const [projectId, paths] of pathsOf) {
    const before = inputs.before.get(projectId);
    const after = inputs.after.get(projectId);
    if (!before || !after) continue;
    impacts.push(...projectImpacts(projectId, before, after, paths, factsOf.get(projectId) ?? []));
  }
  return impacts;
}

function projectImpacts(
  projectId: string,
  before: ProjectSettings,
  after: ProjectSettings,
  paths: ReadonlySet<string>,
  facts: readonly TrafficFactRow[],
): TrafficImpact[] {
  const projectTotal = sum(facts);
  const admitted = facts.filter((r) => r.route === ADMISSION_ROUTE && r.outcome === 'ok');
  const keyed = facts.filter((r) => r.caller !== '' && !NOT_PAST_THE_KEY.has(r.outcome));
  const out: TrafficImpact[] = [];
  const base = (kind: TrafficImpact['kind'], changed: string[], unit: TrafficImpact['unit'], refused: number) => ({
    projectId,
    kind,
    paths: changed.filter((p) => paths.has(p)),
    unit,
    refused,
    projectTotal,
  });
  const perDay = (rows: readonly TrafficFactRow[]) =>
    [...byKey(rows, (r) => r.day)]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, admissions]) => ({ day, admissions }));

  const apiPath = 'spec.security.ipWhitelist.api';
  if (paths.has(apiPath) && narrowed(before.ipWhitelistApi, after.ipWhitelistApi)) {
    const outside = keyed.filter((r) => r.caller !== OTHER && !ipAllowed(after.ipWhitelistApi, r.caller));
    const unattributed = sum(keyed.filter((r) => r.caller === OTHER));
    const callers = [...byKey(outside, (r) => r.caller)].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    out.push({
      ...base('api-whitelist', [apiPath], 'calls', sum(outside)),
      addresses: {
        distinct: callers.length,
        top: callers.slice(0, 5).map(([address, calls]) => ({ address, calls })),
        unattributed,
      },
    });
  }
  const methodsPath = 'spec.encryption.methods';
  const dropped = before.encryptionMethods.filter((m) => !after.encryptionMethods.includes(m));
  if (paths.has(methodsPath) && dropped.length) {
    const rows = admitted.filter((r) => (dropped as string[]).includes(r.encryption));
    out.push({ ...base('encryption-method', [methodsPath], 'admissions', sum(rows)), methods: dropped });
  }
  if (!before.encryptedOnly && after.encryptedOnly) {
    const rows = admitted.filter((r) => r.encryption === 'plain');
    out.push(base('encrypted-only', ['spec.encryption.encryptedOnly'], 'admissions', sum(rows)));
  }
  if (!before.tokenPreRegistration && after.tokenPreRegistration) {
    const rows = admitted.filter((r) => r.token !== 'registered');
    out.push(base('pre-registration', ['spec.liveform.tokens.preRegistration'], 'admissions', sum(rows)));
  }
  if (before.status !== 'CLOSE' && after.status === 'CLOSE')
    out.push({ ...base('close', ['spec.status'], 'admissions', sum(admitted)), perDay: perDay(admitted) });
  if (before.submissions !== 'emergency-stop' && after.submissions === 'emergency-stop')
    out.push({
      ...base('emergency-stop', ['spec.submissions'], 'admissions', sum(admitted)),
      perDay: perDay(admitted),
    });

  const keyPaths = ['spec.security.apiKey.rotation', 'spec.security.apiKey.previousKeyValidFor'];
  const generations = (rows: readonly TrafficFactRow[]) =>
    [...byKey(rows, (r) => r.keyRotation)].sort(([a], [b]) => a - b).map(([rotation, calls]) => ({ rotation, calls }));
  if (before.apiKeyRotation !== null && after.apiKeyRotation === null) {
    out.push({ ...base('revoke-api-key', keyPaths, 'calls', sum(keyed)), generations: generations(keyed) });
  } else if (
    before.apiKeyRotation !== null &&
    after.apiKeyRotation !== null &&
    after.apiKeyRotation > before.apiKeyRotation
  ) {
    // Generations older than the current key are already in their grace; this rotation ends them at
    // most its own grace after apply, sooner than they would have ended. The current key's callers
    // have the grace to move to the new key (shown, not counted as refused).
    const current = before.apiKeyRotation;
    const older = keyed.filter((r) => r.keyRotation > 0 && r.keyRotation < current);
    out.push({
      ...base('rotate-api-key', keyPaths, 'calls', sum(older)),
      generations: generations(older),
      graceSeconds: after.apiKeyPreviousValidSeconds ?? DEFAULT_API_KEY_GRACE_SECONDS,
      currentKeyCalls: sum(keyed.filter((r) => r.keyRotation === current)),
    });
  }
  return out;
}
