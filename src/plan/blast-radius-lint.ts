// lint.blast-radius: a plan that changes very many existing projects at once (a shared setting or
// a sweeping edit) is flagged in the plan itself - it is about the plan, not one manifest, so it
// lives beside the refusals rather than in the per-manifest lint rules. A warning, an error under
// --strict; apply's own blast-radius guard (guards.ts, > 30%) refuses independently of it.
import type { Diagnostic } from '../manifest/diagnostic.js';
import type { BlastRadius } from '../manifest/manifest-types.generated.js';
import { BLAST_RADIUS_MIN_PROJECTS } from './guards.js';
import type { Change } from './plan-types.js';

export const BLAST_RADIUS_RULE = 'lint.blast-radius';
/** Defaults of argosctl.yaml `lint.blastRadius` (schemas/config.v1.json says the same). */
export const BLAST_RADIUS_WARN = { projects: 25, percent: 10 } as const;
/** The share limit alone needs at least this many projects changed: 2 of 10 is not a sweeping change. */
export const BLAST_RADIUS_WARN_MIN_CHANGED = 5;

/** Where plan-level findings point: the plan as a whole, not a manifest line. */
export const PLAN_LOCATION = { file: '(plan)', line: 1, column: 1, path: '(plan)' } as const;

function mostChangedSetting(changes: readonly Change[]): string {
  const count = new Map<string, Set<string>>();
  for (const c of changes) count.set(c.path, (count.get(c.path) ?? new Set()).add(c.projectId));
  const [path, projects] = [...count].sort((a, b) => b[1].size - a[1].size || a[0].localeCompare(b[0]))[0];
  return `${path} (in ${projects.size})`;
}

export function blastRadiusWarning(
  changes: readonly Change[],
  existingProjects: number,
  limits: BlastRadius = {},
): Diagnostic | undefined {
  const maxProjects = limits.projects ?? BLAST_RADIUS_WARN.projects;
  const maxPercent = limits.percent ?? BLAST_RADIUS_WARN.percent;
  const updates = changes.filter((c) => c.action !== 'create');
  const changed = [...new Set(updates.map((c) => c.projectId))];
  const percent = existingProjects > 0 ? (changed.length / existingProjects) * 100 : 0;
  const byShare =
    existingProjects >= BLAST_RADIUS_MIN_PROJECTS &&
    changed.length >= BLAST_RADIUS_WARN_MIN_CHANGED &&
    percent > maxPercent;
  if (changed.length <= maxProjects && !byShare) return undefined;
  const names = `${changed.slice(0, 5).join(', ')}${changed.length > 5 ? `, and ${changed.length - 5} more` : ''}`;
  return {
    severity: 'warning',
    rule: BLAST_RADIUS_RULE,
    ...PLAN_LOCATION,
    message:
      `the plan changes ${changed.length} of ${existingProjects} existing projects ` +
      `(${Math.round(percent)}%): ${names}; ` +
      `most changed setting: ${mostChangedSetting(updates)}`,
    allowed: `at most ${maxProjects} projects and at most ${maxPercent}% of them per plan`,
    hint:
      'split the change into smaller pull requests, or raise lint.blastRadius in argosctl.yaml ' +
      'if such sweeps are normal here',
  };
}
