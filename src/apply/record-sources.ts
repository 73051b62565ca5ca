// Which projects an apply may record as "as the manifest says" (src/db/applied-sources.ts): those
// it checked in full and left equal to their manifest. Not a project whose change was held back
// (the database keeps another value), nor one outside the plan's scope (not compared), nor one
// whose file has an error. A file's warnings travel in its record and are shown again when skipped.
import type { SourceRecord } from '../db/applied-sources.js';
import type { ManifestSet } from '../manifest/manifest-set.js';
import type { Change, Plan } from '../plan/plan-types.js';

export function recordableSources(
  manifests: Pick<ManifestSet, 'projects' | 'diagnostics'>,
  plan: Pick<Plan, 'scope'>,
  held: readonly Change[],
): SourceRecord[] {
  const scope = plan.scope === 'all' ? undefined : new Set(plan.scope);
  const withProblems = new Set(manifests.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file));
  const heldProjects = new Set(held.map((c) => c.projectId));
  const out: SourceRecord[] = [];
  for (const p of manifests.projects) {
    const id = p.settings.id;
    if (!p.source || (scope && !scope.has(id)) || withProblems.has(p.file) || heldProjects.has(id)) continue;
    out.push({ projectId: id, ...p.source });
  }
  return out;
}
