// Safety sits on the plan: risky change classes, the blast radius, an empty manifest folder.
// Pure: returns the reasons to refuse; the caller turns them into exit code 3.
import type { Organization } from '../manifest/organization.js';
import type { Plan, RiskClass } from './plan-types.js';

export const BLAST_RADIUS_RATIO = 0.3;
export const BLAST_RADIUS_MIN_PROJECTS = 10;

export interface GuardOptions {
  /** Classes allowed with --allow (and leave-close with --allow-reopen). */
  allow: ReadonlySet<string>;
  force: boolean;
  organization: Organization;
  /** Projects declared in the manifests that were read. */
  declaredProjects: number;
}

function allowedByRule(org: Organization, risk: RiskClass, projectId: string): boolean {
  return (org.allow ?? []).some((rule) => rule.class === risk && (!rule.projects || rule.projects.includes(projectId)));
}

export function guardRefusals(plan: Plan, options: GuardOptions): string[] {
  const refusals: string[] = [];
  const blocked = new Map<string, string[]>();
  for (const c of plan.changes) {
    for (const risk of c.risk ?? []) {
      if (options.allow.has(risk) || allowedByRule(options.organization, risk, c.projectId)) continue;
      const list = blocked.get(risk) ?? [];
      list.push(`${c.projectId} ${c.member ? `${c.path}[${c.member}]` : c.path}`);
      blocked.set(risk, list);
    }
  }
  for (const [risk, where] of blocked) {
    refusals.push(`risky change "${risk}" needs --allow ${risk} (or an allow rule in argosctl.yaml): ${where.slice(0, 5).join('; ')}${where.length > 5 ? `; and ${where.length - 5} more` : ''}`);
  }
  if (!options.force) {
    const touched = new Set(plan.changes.filter((c) => c.action !== 'create').map((c) => c.projectId)).size;
    if (plan.existingProjects >= BLAST_RADIUS_MIN_PROJECTS && touched / plan.existingProjects > BLAST_RADIUS_RATIO) {
      refusals.push(`the plan changes ${touched} of ${plan.existingProjects} existing projects (more than ${BLAST_RADIUS_RATIO * 100}%); pass --force if that is intended`);
    }
    if (options.declaredProjects === 0 && plan.existingProjects > 0) {
      refusals.push(`the manifest folder declares no project while the database holds ${plan.existingProjects}; check --dir, or pass --force`);
    }
  }
  return refusals;
}
