// Safety sits on the plan: risky change classes, the blast radius, an empty manifest folder, and
// break-glass values set outside git. Pure: `planRefusals` says what apply will refuse (it is
// stored in the plan, so `plan` shows it before merge); `judgePlan` applies the apply-time flags
// to the same list. One source of truth for both.
import type { Organization } from '../manifest/organization.js';
import type { Change, Plan, Refusal, RiskClass } from './plan-types.js';

export const BLAST_RADIUS_RATIO = 0.3;
export const BLAST_RADIUS_MIN_PROJECTS = 10;

export interface RefusalContext {
  organization: Organization;
  /** Projects declared in the manifests that were read. */
  declaredProjects: number;
}

export interface GuardOptions extends RefusalContext {
  /** Classes allowed with --allow (and leave-close with --allow-reopen). */
  allow: ReadonlySet<string>;
  force: boolean;
}

function allowedByRule(org: Organization, risk: RiskClass, projectId: string): boolean {
  return (org.allow ?? []).some((rule) => rule.class === risk && (!rule.projects || rule.projects.includes(projectId)));
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

export function planRefusals(plan: Pick<Plan, 'changes' | 'existingProjects'>, context: RefusalContext): Refusal[] {
  const refusals: Refusal[] = [];
  const blocked = new Map<RiskClass, string[]>();
  for (const c of plan.changes) {
    for (const risk of c.risk ?? []) {
      if (allowedByRule(context.organization, risk, c.projectId)) continue;
      if (c.outsideGit) {
        refusals.push(breakGlassRefusal(c, risk));
        continue;
      }
      blocked.set(risk, [...(blocked.get(risk) ?? []), target(c)]);
    }
  }
  for (const [risk, where] of blocked) {
    refusals.push({
      kind: 'risk',
      risk,
      message: `risky change "${risk}": ${where.slice(0, 5).join('; ')}${where.length > 5 ? `; and ${where.length - 5} more` : ''}`,
      unless: `--allow ${risk} is given (or an allow rule in argosctl.yaml covers it)`,
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

export function judgePlan(plan: Pick<Plan, 'changes' | 'existingProjects'>, options: GuardOptions): Verdict {
  const open = planRefusals(plan, options).filter((r) => !lifted(r, options));
  return { refused: open.filter((r) => r.kind !== 'break-glass'), held: open.filter((r) => r.kind === 'break-glass') };
}

/** The messages of the refusals that stop an apply (kept for callers that want words only). */
export function guardRefusals(plan: Pick<Plan, 'changes' | 'existingProjects'>, options: GuardOptions): string[] {
  return judgePlan(plan, options).refused.map((r) => `${r.message}; apply refuses this unless ${r.unless}`);
}
