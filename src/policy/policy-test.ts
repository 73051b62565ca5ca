// The core of `argosctl policy test`: the policy's outcome per rule over the manifests read, each
// violation with its manifest position, and the other problems that kept projects out of the test.
import type { Diagnostic } from '../manifest/diagnostic.js';
import type { ManifestSet } from '../manifest/manifest-set.js';
import type { RuleOutcome } from './evaluate-policy.js';
import { violationPosition } from './policy-diagnostics.js';

export interface PolicyTestViolation {
  projectId: string;
  file: string;
  line: number;
  column: number;
  path: string;
  found: string;
  message: string;
  allowed: string;
}

/** A rule's outcome as evaluated, each violation placed in its manifest. */
export type PolicyTestRule = Omit<RuleOutcome, 'violated'> & { violated: PolicyTestViolation[] };

export interface PolicyTestResult {
  /** Valid projects the policy was evaluated on. */
  projects: number;
  rules: PolicyTestRule[];
  violations: number;
  /** Problems other than policy violations (invalid manifests or argosctl.yaml): those projects were not tested. */
  problems: Diagnostic[];
}

export function policyTest(set: Pick<ManifestSet, 'projects' | 'policy' | 'diagnostics'>): PolicyTestResult {
  const problems = set.diagnostics.filter((d) => d.severity === 'error' && !d.rule.startsWith('policy.'));
  const byId = new Map(set.projects.map((p) => [p.settings.id, p]));
  const rules = (set.policy?.rules ?? []).map(
    (outcome): PolicyTestRule => ({
      ...outcome,
      violated: outcome.violated.map((v) => {
        const p = byId.get(v.projectId)!;
        const at = violationPosition(p, outcome, v.setting);
        return {
          projectId: v.projectId,
          file: p.file,
          line: at.line,
          column: at.column,
          path: v.setting,
          found: v.found,
          message: v.message,
          allowed: v.allowed,
        };
      }),
    }),
  );
  return { projects: set.projects.length, rules, violations: set.policy?.violations ?? 0, problems };
}
