// A manifest whose id differs only in case from a project in the database (xproj → XProj) would
// plan a create that the database's case-folded unique index then refuses at every apply. Ids are
// immutable and two ids differing only in case are one project, so the plan says so instead.
import type { Diagnostic } from '../manifest/diagnostic.js';
import { projectIdFold } from '../model/project-id.js';
import type { DesiredInput } from './diff.js';

export function idCaseRenames(desired: readonly DesiredInput[], existingIds: readonly string[]): Diagnostic[] {
  const exact = new Set(existingIds);
  const byFold = new Map(existingIds.map((id) => [projectIdFold(id), id]));
  const out: Diagnostic[] = [];
  for (const project of desired) {
    const id = project.settings.id;
    const existing = exact.has(id) ? undefined : byFold.get(projectIdFold(id));
    if (existing === undefined) continue;
    const source = project.sourceOf('metadata.id');
    out.push({
      severity: 'error',
      rule: 'project.id-case-rename',
      file: source.file,
      line: source.line,
      column: 1,
      path: 'metadata.id',
      message: `project id "${id}" differs only in case from "${existing}" in the database; a project id cannot be renamed`,
      allowed: `metadata.id: ${existing} (ids are immutable; ids differing only in case are one project)`,
    });
  }
  return out;
}
