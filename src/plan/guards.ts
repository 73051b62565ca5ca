// Safety sits on the plan: risky change classes, the blast radius, an empty manifest folder, and
// break-glass values set outside git. Pure: `planRefusals` says what apply will refuse (it is
// stored in the plan, so `plan` shows it before merge); `judgePlan` applies the apply-time flags
// to the same list. One source of truth for both.
import type { Organization } from '../manifest/organization.js';
import { allowRuleCovers, policyRelaxations } from '../policy/relaxing-rules.js';
import type { Allowance, Change, Plan, PlanPolicy, Refusal, RiskClass } from './plan-types.js';
import { refuseThresholdPercent, refusedPercent, type TrafficImpact } from './traffic-types.js';

export const BLAST_RADIUS_RATIO = 0.3;
export const BLAST_RADIUS_MIN_PROJECTS = 10;

/** argosctl.yaml at a trusted revision: its relaxing rules are the ones in force (src/policy/relaxing-rules.ts). */
export interface PolicyBasis {
  ref: string;
  commit: string;
  file: string;
  organization: Organization;
}

export interface RefusalContext {
  organization: Organization;
  /** Absent: the working tree's argosctl.yaml is trusted (no --policy-from, outside CI). */
  policy?: PolicyBasis;
  /** Projects declared in the manifests that were read. */
  declaredProjects: number;
}

export interface GuardOptions extends RefusalContext {
  /** Classes allowed with --allow (and leave-close with --allow-reopen). */
  allow: ReadonlySet<string>;
  force: boolean;
}

const covered = (org: Organization, risk: RiskClass, projectId: string) =>
  (org.allow ?? []).some((rule) => allowRuleCovers(rule, risk, projectId));

/**
 * An allow rule lifts a risk only when the working tree has it and, with a trusted revision, that
 * revision's file has it too: a pull request cannot allow its own risk. policy-relax never.
 */
function allowedByRule(context: RefusalContext, risk: RiskClass, projectId: string): boolean {
  if (risk === 'policy-relax') return false;
  return (
    covered(context.organization, risk, projectId) &&
    (!context.policy || covered(context.policy.organization, risk, projectId))
  );
}

/** The trusted file by its commit (the name of the revision may differ between plan and apply). */
const trustedFile = (basis: PolicyBasis) => `${basis.file} at commit ${basis.commit.slice(0, 12)}`;

/** The plan's record of where relaxing rules came from, and how the working tree relaxes them. */
export function planPolicy(context: RefusalContext): PlanPolicy | undefined {
  const basis = context.policy;
  if (!basis) return undefined;
  return {
    ref: basis.ref,
    commit: basis.commit,
    file: basis.file,
    relaxed: policyRelaxations(basis.organization, context.organization),
  };
}

/** The allow rules in force and their file: the trusted revision's (those the working tree keeps), else the working tree's. */
export function allowancesOf(context: RefusalContext): Allowance[] {
  const basis = context.policy;
  if (!basis) return (context.organization.allow ?? []).map((r) => ({ ...r, from: 'argosctl.yaml (working tree)' }));
  const from = trustedFile(basis);
  return (basis.organization.allow ?? []).map((r) => ({ ...r, from }));
}

const target = (c: Change) => `${c.projectId} ${c.member !== undefined ? `${c.path}[${c.member}]` : c.path}`;

/** A break-glass value apply would undo: the change's own risk class is what lifts the hold. */
function breakGlassRefusal(c: Change, risk: RiskClass): Refusal {
  const note = c.outsideGit!;
  const what = note.action === 'emergency-stop' ? 'emergency stop' : 'emergency resume';
  return {
    kind: 'break-glass',
    risk,
    projectId: c.projectId,
    path: c.path,
    message: `${target(c)} stays ${JSON.stringify(c.before)}: ${what} set outside git by ${note.actor} at ${note.at} ("${note.reason}")`,
    unless: `the manifest says ${JSON.stringify(c.before)} too, or --allow ${risk} is given`,
  };
}

/** traffic.refuseThreshold in force: the trusted revision's argosctl.yaml, else the working tree's. */
export function refuseThresholdOf(context: Pick<RefusalContext, 'organization' | 'policy'>): number {
  return refuseThresholdPercent((context.policy?.organization ?? context.organization).traffic?.refuseThreshold);
}

const impactTarget = (i: TrafficImpact) =>
  `${i.projectId} ${i.paths.join(', ') || i.kind}: ${i.refused} of ${i.projectTotal} (${refusedPercent(i).toFixed(1)}%)`;

/** Impacts over the threshold in force, that no allow rule covers: the risk class refuses-live-traffic. */
export function trafficOverThreshold(plan: Pick<Plan, 'traffic'>, context: RefusalContext): TrafficImpact[] {
  const threshold = refuseThresholdOf(context);
  return (plan.traffic?.impacts ?? []).filter(
    (i) => refusedPercent(i) > threshold && !allowedByRule(context, 'refuses-live-traffic', i.projectId),
  );
}

export function planRefusals(
  plan: Pick<Plan, 'changes' | 'existingProjects' | 'traffic'>,
  context: RefusalContext,
): Refusal[] {
  const refusals: Refusal[] = [];
  const blocked = new Map<RiskClass, string[]>();
  const traffic = trafficOverThreshold(plan, context);
  if (traffic.length) blocked.set('refuses-live-traffic', traffic.map(impactTarget));
  for (const c of plan.changes) {
    for (const risk of c.risk ?? []) {
      if (allowedByRule(context, risk, c.projectId)) continue;
      if (c.outsideGit) {
        refusals.push(breakGlassRefusal(c, risk));
        continue;
      }
      blocked.set(risk, [...(blocked.get(risk) ?? []), target(c)]);
    }
  }
  for (const [risk, where] of blocked) {
    const what =
      risk === 'refuses-live-traffic'
        ? `would have refused more than ${refuseThresholdOf(context)}% of its project's traffic over the last ${plan.traffic?.window}: `
        : '';
    refusals.push({
      kind: 'risk',
      risk,
      message: `risky change "${risk}": ${what}${where.slice(0, 5).join('; ')}${where.length > 5 ? `; and ${where.length - 5} more` : ''}`,
      unless: `--allow ${risk} is given (or an allow rule in argosctl.yaml covers it)`,
    });
  }
  const relaxed = planPolicy(context)?.relaxed ?? [];
  if (relaxed.length) {
    refusals.push({
      kind: 'risk',
      risk: 'policy-relax',
      message: `risky change "policy-relax": the working tree's argosctl.yaml relaxes guards compared with ${trustedFile(context.policy!)}: ${relaxed.slice(0, 5).join('; ')}${relaxed.length > 5 ? `; and ${relaxed.length - 5} more` : ''}`,
      unless: '--allow policy-relax is given (no allow rule in argosctl.yaml can lift it)',
    });
  }
  const touched = new Set(plan.changes.filter((c) => c.action !== 'create').map((c) => c.projectId)).size;
  if (plan.existingProjects >= BLAST_RADIUS_MIN_PROJECTS && touched / plan.existingProjects > BLAST_RADIUS_RATIO) {
    refusals.push({
      kind: 'blast-radius',
      message: `the plan changes ${touched} of ${plan.existingProjects} existing projects (more than ${BLAST_RADIUS_RATIO * 100}%)`,
      unless: '--force is given (if that is intended)',
    });
  }
  if (context.declaredProjects === 0 && plan.existingProjects > 0) {
    refusals.push({
      kind: 'empty-folder',
      message: `the manifest folder declares no project while the database holds ${plan.existingProjects}`,
      unless: '--force is given (check --dir first)',
    });
  }
  return refusals;
}

function lifted(r: Refusal, options: GuardOptions): boolean {
  if (r.kind === 'risk' || r.kind === 'break-glass') return options.allow.has(r.risk!);
  return options.force;
}

export interface Verdict {
  /** Refusals no flag lifted: apply exits 3 and writes nothing. */
  refused: Refusal[];
  /** Break-glass values apply leaves as they are: their changes are not written. */
  held: Refusal[];
}

export function judgePlan(
  plan: Pick<Plan, 'changes' | 'existingProjects' | 'traffic'>,
  options: GuardOptions,
): Verdict {
  // --allow policy-relax accepts the working tree's relaxing rules, its allow rules included.
  const context = options.allow.has('policy-relax') ? { ...options, policy: undefined } : options;
  const open = planRefusals(plan, context).filter((r) => !lifted(r, options));
  return { refused: open.filter((r) => r.kind !== 'break-glass'), held: open.filter((r) => r.kind === 'break-glass') };
}

/** The messages of the refusals that stop an apply (kept for callers that want words only). */
export function guardRefusals(
  plan: Pick<Plan, 'changes' | 'existingProjects' | 'traffic'>,
  options: GuardOptions,
): string[] {
  return judgePlan(plan, options).refused.map((r) => `${r.message}; apply refuses this unless ${r.unless}`);
}
