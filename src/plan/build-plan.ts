// Assembles the plan from what was read: manifests, database state, git facts, the clock.
// Pure: every input is passed in, so the same inputs always give the same plan.
import type { Diagnostic } from '../manifest/diagnostic.js';
import type { DesiredProject, ManifestSet } from '../manifest/manifest-set.js';
import type { CurrentState } from '../db/read-state.js';
import { EMPTY_ORGANIZATION } from '../manifest/organization.js';
import { canonicalJson, sha256 } from '../util/canonical-json.js';
import { ARGOSCTL_VERSION } from '../version.js';
import { diffProjects, type DesiredInput } from './diff.js';
import { blastRadiusWarning } from './blast-radius-lint.js';
import { idCaseRenames } from './id-case-renames.js';
import { allowancesOf, planPolicy, planRefusals, type PolicyBasis, type RefusalContext } from './guards.js';
import { PLAN_FORMAT_VERSION, summarize, type Change, type GitInfo, type Plan } from './plan-types.js';
import { refuseThresholdOf } from './guards.js';
import { trafficImpacts } from './traffic-impact.js';
import type { PlanTraffic, TrafficFacts } from './traffic-types.js';
import type { ProjectSettings } from '../model/project-settings.js';

export interface PlanInputs {
  manifests: Pick<ManifestSet, 'projects' | 'digest'> &
    Partial<Pick<ManifestSet, 'organization' | 'diagnostics' | 'unchanged'>>;
  /**
   * What the state reader returned (break-glass notes explain drift). Projects in
   * manifests.unchanged are as last applied: they are in `ids` but need not be in `projects`.
   */
  state: Pick<CurrentState, 'projects' | 'fingerprint'> & Partial<Pick<CurrentState, 'breakGlass' | 'ids'>>;
  git: GitInfo;
  now: Date;
  /** Limit the plan to these project ids (`--project`); empty means all. */
  only?: readonly string[];
  /** Leaving CLOSE is refused unless explicitly allowed. */
  allowReopen?: boolean;
  /** `--strict`: plan-level lint warnings (lint.blast-radius) are errors. */
  strict?: boolean;
  /** argosctl.yaml at the trusted revision (--policy-from); absent: the working tree's is trusted. */
  policy?: PolicyBasis;
  /** The traffic facts of the window, read with the state (src/db/read-traffic.ts); absent: not shown. */
  traffic?: TrafficFacts;
}

/** What the changes would have refused of the recorded traffic (traffic-impact.ts), with where it was read. */
function planTraffic(
  facts: TrafficFacts,
  changes: readonly Change[],
  before: ReadonlyMap<string, ProjectSettings>,
  after: ReadonlyMap<string, ProjectSettings>,
  thresholdPercent: number,
): PlanTraffic {
  const planned = new Set(changes.map((c) => c.projectId));
  return {
    window: facts.window,
    since: facts.since,
    until: facts.until,
    source: facts.source,
    recorded: facts.rows.some((r) => planned.has(r.projectId)),
    ...(facts.unreadable ? { unreadable: facts.unreadable } : {}),
    thresholdPercent,
    impacts: trafficImpacts({ changes, before, after, facts: facts.rows }),
  };
}

export function toDesiredInput(p: DesiredProject): DesiredInput {
  return {
    settings: p.settings,
    sourceOf: (path, member) => ({ file: p.file, line: path === 'metadata.id' ? p.line : p.lineOf(path, member) }),
    ...(p.written ? { writtenOf: p.written } : {}),
  };
}

function reopenDiagnostics(changes: readonly Change[]): Diagnostic[] {
  return changes
    .filter((c) => c.risk?.includes('leave-close'))
    .map((c) => ({
      severity: 'error' as const,
      rule: 'status.reopen',
      file: c.source?.file ?? '(manifest)',
      line: c.source?.line ?? 1,
      column: 1,
      path: c.path,
      message: `project "${c.projectId}" is CLOSE in the database; moving it to ${String(c.after)} reopens a terminated project`,
      allowed: 'keep status: CLOSE, or pass --allow-reopen to reopen it deliberately',
    }));
}

type DigestInputs = Pick<
  Plan,
  'formatVersion' | 'argosctlVersion' | 'createdAt' | 'stateFingerprint' | 'manifestDigest' | 'scope' | 'changes'
>;

/**
 * The identity of one plan: what it changes, what it saw, and when it was made. `createdAt` is in
 * it so that planning the same change again later (a→b→a→b, or drift fixed twice) gives a new
 * identity; only re-running the very same saved plan repeats one.
 */
export function planDigestOf(plan: DigestInputs): string {
  return sha256(
    canonicalJson({
      formatVersion: plan.formatVersion,
      argosctlVersion: plan.argosctlVersion,
      createdAt: plan.createdAt,
      state: plan.stateFingerprint,
      manifests: plan.manifestDigest,
      scope: plan.scope,
      changes: plan.changes,
    }),
  );
}

export function buildPlan(inputs: PlanInputs): Plan {
  const only = inputs.only && inputs.only.length > 0 ? new Set(inputs.only) : undefined;
  const desired = inputs.manifests.projects.filter((p) => !only || only.has(p.settings.id)).map(toDesiredInput);
  const unchanged = inputs.manifests.unchanged ?? [];
  const { changes } = diffProjects(desired, inputs.state.projects, false, inputs.state.breakGlass);
  const ids = inputs.state.ids ?? [...inputs.state.projects.keys()].sort();
  const declared = new Set([...inputs.manifests.projects.map((p) => p.settings.id), ...unchanged.map((u) => u.id)]);
  // Only in the database, when the plan covers all projects: listed, never changed.
  const unmanaged = only ? [] : ids.filter((id) => !declared.has(id));
  const diagnostics = [...idCaseRenames(desired, ids), ...(inputs.allowReopen ? [] : reopenDiagnostics(changes))];
  const base: DigestInputs = {
    formatVersion: PLAN_FORMAT_VERSION,
    argosctlVersion: ARGOSCTL_VERSION,
    createdAt: inputs.now.toISOString(),
    stateFingerprint: inputs.state.fingerprint,
    manifestDigest: inputs.manifests.digest,
    scope: only ? [...only].sort() : 'all',
    changes,
  };
  const existingProjects = ids.length;
  // With --project, the warnings of the files that declare the planned projects.
  // A skipped file's warnings come from its record: its projects count as the read ones do.
  const files = new Set([
    ...inputs.manifests.projects.filter((p) => !only || only.has(p.settings.id)).map((p) => p.file),
    ...unchanged.filter((u) => !only || only.has(u.id)).map((u) => u.file),
  ]);
  const warnings = (inputs.manifests.diagnostics ?? []).filter(
    (d) => d.severity === 'warning' && (!only || files.has(d.file)),
  );
  const blast = blastRadiusWarning(changes, existingProjects, inputs.manifests.organization?.lint?.blastRadius);
  if (blast && inputs.strict) diagnostics.push({ ...blast, severity: 'error' });
  else if (blast) warnings.push(blast);
  const context: RefusalContext = {
    organization: inputs.manifests.organization ?? EMPTY_ORGANIZATION,
    declaredProjects: declared.size,
    policy: inputs.policy,
  };
  const after = new Map(
    inputs.manifests.projects.filter((p) => !only || only.has(p.settings.id)).map((p) => [p.settings.id, p.settings]),
  );
  const traffic = inputs.traffic
    ? planTraffic(inputs.traffic, changes, inputs.state.projects, after, refuseThresholdOf(context))
    : undefined;
  const refusals = planRefusals({ changes, existingProjects, traffic }, context);
  const policy = planPolicy(context);
  const allowances = allowancesOf(context);
  return {
    formatVersion: base.formatVersion,
    argosctlVersion: base.argosctlVersion,
    createdAt: base.createdAt,
    stateFingerprint: base.stateFingerprint,
    manifestDigest: base.manifestDigest,
    planDigest: planDigestOf(base),
    git: inputs.git,
    unmanaged,
    scope: base.scope,
    existingProjects,
    summary: summarize(changes, unmanaged.length),
    changes,
    refusals,
    ...(policy ? { policy } : {}),
    ...(allowances.length ? { allowances } : {}),
    diagnostics,
    warnings,
    ...(traffic ? { traffic } : {}),
  };
}
