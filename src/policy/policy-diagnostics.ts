// Policy violations as diagnostics at the manifest's file:line:column: the offending setting where
// the manifest writes it; when it leaves it out, what brought the rule into play (spec.status or
// metadata.region for a scoped rule) or else the setting's nearest written parent (metadata for a
// missing region).
import type { Diagnostic } from '../manifest/diagnostic.js';
import { excerpt } from '../manifest/excerpt.js';
import type { Organization } from '../manifest/organization.js';
import type { DesiredProject, SettingPosition } from '../manifest/manifest-set.js';
import { evaluatePolicy, type PolicyReport, type RuleOutcome } from './evaluate-policy.js';
import { compilePolicy } from './policy-rules.js';

export type Located = Pick<DesiredProject, 'file' | 'line' | 'lineOf' | 'positionOf' | 'settings'>;

function position(p: Located, path: string): SettingPosition {
  return p.positionOf ? p.positionOf(path) : { line: p.lineOf(path), column: 1, found: true };
}

/** Where a violation of `outcome` in project `p` is reported. */
export function violationPosition(p: Located, outcome: RuleOutcome, setting: string): SettingPosition {
  const at = position(p, setting);
  if (at.found) return at;
  if (outcome.when.status) return position(p, 'spec.status');
  if (outcome.when.region) return position(p, 'metadata.region');
  return at;
}

export function policyDiagnostics(report: PolicyReport, projects: readonly Located[]): Diagnostic[] {
  const byId = new Map(projects.map((p) => [p.settings.id, p]));
  const out: Diagnostic[] = [];
  for (const outcome of report.rules) {
    const why = outcome.description ? `: ${excerpt(outcome.description, 160)}` : '';
    for (const v of outcome.violated) {
      const p = byId.get(v.projectId);
      if (!p) continue;
      const at = violationPosition(p, outcome, v.setting);
      out.push({
        severity: 'error',
        rule: v.rule,
        file: p.file,
        line: at.line,
        column: at.column,
        path: v.setting,
        message: v.message,
        allowed: v.allowed,
        hint: `rule ${outcome.source} in argosctl.yaml${why}`,
      });
    }
  }
  return out;
}

/**
 * The organisation policy over these projects: the report (per rule, who passed and who not) and
 * one error per violation. Call it on every project a command acts on, also ones not re-read.
 */
export function checkPolicy(
  projects: readonly Located[],
  organization: Organization,
): { report: PolicyReport; diagnostics: Diagnostic[] } {
  const report = evaluatePolicy(
    projects.map((p) => p.settings),
    compilePolicy(organization),
  );
  return { report, diagnostics: policyDiagnostics(report, projects) };
}
