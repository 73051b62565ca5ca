// The allow rules of argosctl.yaml, checked beyond their schema: a known risk class; never
// policy-relax (only --allow policy-relax lifts it); and for the classes that reopen a stopped
// project or let more addresses in, a `projects:` list, so one rule cannot cover every project.
import { formatPath, type Diagnostic } from '../manifest/diagnostic.js';
import { quote } from '../manifest/excerpt.js';
import type { Organization } from '../manifest/organization.js';
import { locate, type ParsedDocument } from '../manifest/read/yaml-position.js';
import { RISK_CLASSES } from '../plan/plan-types.js';

/** Classes an allow rule may only grant to named projects. */
export const NEEDS_PROJECTS: readonly string[] = [
  'emergency-resume',
  'whitelist-widen',
  'whitelist-remove',
  'refuses-live-traffic',
];

export function checkAllowRules(parsed: ParsedDocument, organization: Organization): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (at: (string | number)[], message: string, allowed: string) =>
    out.push({
      severity: 'error',
      rule: 'config.allow',
      file: parsed.file,
      ...locate(parsed, at),
      path: formatPath(at),
      message,
      allowed,
    });
  (organization.allow ?? []).forEach((rule, i) => {
    const at = ['allow', i];
    if (rule.class === 'policy-relax') {
      report(
        [...at, 'class'],
        'policy-relax cannot be allowed by a rule in argosctl.yaml',
        'pass --allow policy-relax to apply',
      );
    } else if (!(RISK_CLASSES as readonly string[]).includes(rule.class)) {
      report(
        [...at, 'class'],
        `${quote(rule.class)} is not a risk class`,
        `one of ${RISK_CLASSES.filter((c) => c !== 'policy-relax').join(', ')}`,
      );
    } else if (NEEDS_PROJECTS.includes(rule.class) && !rule.projects?.length) {
      report(
        at,
        `an allow rule for ${rule.class} must name its projects: without projects it covers every project`,
        `projects: [project-id, …] under this rule, or --allow ${rule.class} at apply`,
      );
    }
  });
  return out;
}
