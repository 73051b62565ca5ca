// Saved plans: written atomically, read back only when their format version and the argosctl
// version that made them are this one's. Apply does not trust the rest: it recomputes the plan.
import { UserError } from '../errors.js';
import { planDocument } from '../render/json-document.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readUserFile } from '../util/safe-read.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../plan/plan-types.js';
import { ARGOSCTL_VERSION } from '../version.js';

/** A plan of 100,000 projects is far below this. */
const MAX_PLAN_BYTES = 1024 * 1024 * 1024;

export interface SavedPlan extends Plan {
  /**
   * The manifest folder the plan was made from, relative to the repository (src/config/recorded-root.ts):
   * apply checks it is the folder the current configuration names, and never reads from it.
   */
  manifestDir: string;
}

export async function writePlanFile(file: string, plan: SavedPlan): Promise<void> {
  // Public keys as fingerprints, as in every plan output; apply compares with publicPlanView.
  // O_EXCL temporary file, then rename: a link planted at the temporary path is never written through.
  writeFileAtomic(file, planDocument(plan), 0o600);
}

export async function readPlanFile(file: string): Promise<SavedPlan> {
  const text = readUserFile(file, MAX_PLAN_BYTES, 'plan file', 'pass a file written by argosctl plan --out').toString(
    'utf8',
  );
  let plan: SavedPlan;
  try {
    plan = JSON.parse(text);
  } catch {
    throw new UserError(`plan file "${file}" is not JSON`, 'pass a file written by argosctl plan --out');
  }
  const again = 'run argosctl plan --out again with this argosctl and review the new plan';
  if (typeof plan !== 'object' || plan === null || Array.isArray(plan))
    throw new UserError(`plan file "${file}" is not a plan`, again);
  // `kind` names the document (as in every --format json output); it is not part of the plan compared.
  const { kind, ...rest } = plan as SavedPlan & { kind?: unknown };
  if (kind !== undefined && kind !== 'plan')
    throw new UserError(`plan file "${file}" is a ${short(kind)} document, not a plan`, again);
  plan = rest as SavedPlan;
  if (plan.formatVersion !== PLAN_FORMAT_VERSION) {
    throw new UserError(
      `plan file "${file}" has format version ${short(plan.formatVersion)}; this argosctl reads only format version ${PLAN_FORMAT_VERSION}`,
      again,
    );
  }
  if (plan.argosctlVersion !== ARGOSCTL_VERSION) {
    throw new UserError(
      `plan file "${file}" was made by argosctl ${short(plan.argosctlVersion)}; this is argosctl ${ARGOSCTL_VERSION}, and plans do not carry over between versions`,
      again,
    );
  }
  const problem = shapeProblem(plan);
  if (problem) throw new UserError(`plan file "${file}" is not a plan: ${problem}`, again);
  return plan;
}

const short = (v: unknown) => (JSON.stringify(v) ?? 'nothing').slice(0, 40);

/** Just enough shape to recompute from: everything else is compared with the recomputed plan. */
function shapeProblem(plan: SavedPlan): string | undefined {
  if (
    typeof plan.createdAt !== 'string' ||
    Number.isNaN(Date.parse(plan.createdAt)) ||
    new Date(plan.createdAt).toISOString() !== plan.createdAt
  ) {
    return 'createdAt is not an ISO timestamp';
  }
  for (const field of ['stateFingerprint', 'manifestDigest', 'planDigest', 'manifestDir'] as const) {
    if (typeof plan[field] !== 'string') return `${field} is not a string`;
  }
  if (plan.scope !== 'all' && !(Array.isArray(plan.scope) && plan.scope.every((id) => typeof id === 'string')))
    return 'scope is neither "all" nor a list of project ids';
  if (typeof plan.git !== 'object' || plan.git === null || Array.isArray(plan.git)) return 'git is not an object';
  if (!Array.isArray(plan.changes)) return 'changes is not a list';
  return undefined;
}
