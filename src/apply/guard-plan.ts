// The apply-time verdict on a plan: refusals no flag lifted stop it (exit 3, nothing written);
// break-glass values set outside git are held back (those changes are left out, the rest applies).
import { GuardError } from '../errors.js';
import { judgePlan, type GuardOptions } from '../plan/guards.js';
import type { Change, Plan, Refusal } from '../plan/plan-types.js';

export interface Holds {
  /** The changes apply leaves out. */
  held: Change[];
  /** Why: the break-glass refusals, for "changed outside git" in the output. */
  holds: Refusal[];
}

export function refuseOrHold(plan: Plan, options: GuardOptions): Holds {
  const verdict = judgePlan(plan, options);
  if (verdict.refused.length) {
    throw new GuardError(
      `apply refused:\n  - ${verdict.refused.map((r) => `${r.message}; apply refuses this unless ${r.unless}`).join('\n  - ')}`,
      'nothing was written',
    );
  }
  const held = plan.changes.filter((c) => verdict.held.some((r) => r.projectId === c.projectId && r.path === c.path));
  return { held, holds: verdict.held };
}
