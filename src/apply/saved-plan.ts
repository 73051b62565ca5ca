// A saved plan is only a claim about what the manifests and the database give. Apply recomputes
// the plan from both, as it was made (same time, same scope, same git facts), and goes on only
// when the two are the same; it then applies the recomputed plan, never the file's changes.
import type { TrafficFacts } from '../plan/traffic-types.js';
import { GuardError } from '../errors.js';
import type { CurrentState } from '../db/read-state.js';
import type { ManifestSet } from '../manifest/manifest-set.js';
import { buildPlan } from '../plan/build-plan.js';
import { planDifference } from '../plan/compare-plans.js';
import type { Plan } from '../plan/plan-types.js';
import type { PolicyBasis } from '../plan/guards.js';
import { withPemsAsFingerprints } from '../transmit/fingerprint.js';
import { assertFresh } from './apply-plan.js';

export function recomputeSavedPlan(
  saved: Plan,
  manifests: Pick<ManifestSet, 'projects' | 'digest' | 'organization'>,
  state: CurrentState,
  policy?: PolicyBasis,
  extraFields: readonly string[] = ['manifestDir'],
  /** The traffic facts read at apply: what the changes would have refused is judged anew. */
  traffic?: TrafficFacts,
): Plan {
  if (saved.manifestDigest !== manifests.digest) {
    const short = (d: unknown) => JSON.stringify(String(d).slice(0, 19));
    throw new GuardError(
      `the manifests changed since this plan was made: manifestDigest differs: the file has ${short(saved.manifestDigest)}…, the manifests read give ${short(manifests.digest)}…`,
      'run argosctl plan again and review the new plan',
    );
  }
  assertFresh(saved, state);
  const plan = buildPlan({
    manifests,
    state,
    git: saved.git,
    now: new Date(saved.createdAt),
    only: saved.scope === 'all' ? undefined : saved.scope,
    allowReopen: true, // a saved plan never carries reopen diagnostics; leave-close stays a guarded risk
    policy,
    traffic,
  });
  // The file shows public keys as fingerprints (plan-file.ts); the recomputed plan holds the PEM it writes.
  // The trusted revision is bound by its commit: its name may differ (origin/main in the pull
  // request, the commit before the merge at apply), so the saved name is kept for the comparison.
  const named = plan.policy && saved.policy ? { ...plan, policy: { ...plan.policy, ref: saved.policy.ref } } : plan;
  const difference = planDifference(saved, withPemsAsFingerprints(named), extraFields);
  if (difference) {
    throw new GuardError(
      `the saved plan is not what the manifests and the database give: ${difference}`,
      'nothing was written; run argosctl plan --out again and review the new plan',
    );
  }
  return plan;
}
