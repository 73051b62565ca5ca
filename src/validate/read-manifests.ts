// The whole validation: the manifests read and checked (src/manifest/check-manifests.ts), then the
// organisation's policy in argosctl.yaml over the checked set. The policy reads the set; reading
// never calls the policy.
import { checkManifests, type ReadOptions } from '../manifest/check-manifests.js';
import { capDiagnostics, sortDiagnostics, type Diagnostic } from '../manifest/diagnostic.js';
import { LIMITS } from '../manifest/limits.js';
import type { ManifestSet } from '../manifest/manifest-set.js';
import { checkAllowRules } from '../policy/check-allow-rules.js';
import { checkPolicyConfig } from '../policy/check-policy-config.js';
import { checkPolicy } from '../policy/policy-diagnostics.js';

export async function readManifests(dir: string, options: ReadOptions = {}): Promise<ManifestSet> {
  const { config, cut, diagnostics, ...checked } = await checkManifests(dir, options);
  // A loop, not push(...list): a list of 100,000 problems overflows the call stack.
  const report = (problems: readonly Diagnostic[]) => {
    for (const problem of problems) diagnostics.push(problem);
    return problems.length;
  };
  let policy: ReturnType<typeof checkPolicy> | undefined;
  if (config) {
    const policyValid = !report(checkPolicyConfig(config, checked.organization));
    report(checkAllowRules(config, checked.organization));
    // Over every valid project read. Skipped files need no second look: their key covers
    // argosctl.yaml, so they passed this very policy when applied.
    if (policyValid) policy = checkPolicy(checked.projects, checked.organization);
    if (policy) report(policy.diagnostics);
  }
  return {
    ...checked,
    ...(policy ? { policy: policy.report } : {}),
    diagnostics: capDiagnostics(sortDiagnostics(diagnostics), LIMITS.problemsReported, cut),
  };
}
