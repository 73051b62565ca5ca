// A saved plan is only a claim about what the manifests and the database give. Apply recomputes
// the plan from both, as it was made (same time, same scope, same git facts), and goes on only
// when the two are the same; it then applies the recomputed plan, never the file's changes.
import { GuardError } from '../errors.js';
import type { CurrentState } from '../db/read-state.js';
import type { ManifestSet } from '../manifest/read-manifests.js';
import { buildPlan } from '../plan/build-plan.js';
import { planDifference } from '../plan/compare-plans.js';
import type { Plan } from '../plan/plan-types.js';
import { withPemsAsFingerprints } from '../transmit/fingerprint.js';
import { assertFresh } from './apply-plan.js';

export function recomputeSavedPlan(
  saved: Plan,
  manifests: Pick<ManifestSet, 'projects' | 'digest' | 'organization'>,
  state: CurrentState,
  extraFields: readonly string[] = ['manifestDir'],
): Plan {
  if (saved.manifestDigest !== manifests.digest) {
    throw new GuardError(
      'the manifests changed since this plan was made',
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
  });
  // The file shows public keys as fingerprints (plan-file.ts); the recomputed plan holds the PEM it writes.
  const difference = planDifference(saved, withPemsAsFingerprints(plan), extraFields);
  if (difference) {
    throw new GuardError(
      `the saved plan is not what the manifests and the database give: ${difference}`,
      'nothing was written; run argosctl plan --out again and review the new plan',
    );
  }
  return plan;
}
