// Saved plans: written atomically, read back only when their format version is known.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { UserError } from './errors.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../plan/plan-types.js';

export interface SavedPlan extends Plan {
  /** The manifest folder the plan was made from, so apply can check it is unchanged. */
  manifestDir: string;
}

export async function writePlanFile(file: string, plan: SavedPlan): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(plan, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, file);
}

export async function readPlanFile(file: string): Promise<SavedPlan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UserError(`cannot read plan file "${file}"`, 'pass a file written by argosctl plan --out');
  }
  let plan: SavedPlan;
  try {
    plan = JSON.parse(text);
  } catch {
    throw new UserError(`plan file "${file}" is not JSON`, 'pass a file written by argosctl plan --out');
  }
  if (plan?.formatVersion !== PLAN_FORMAT_VERSION || !Array.isArray(plan.changes) || typeof plan.stateFingerprint !== 'string') {
    throw new UserError(`plan file "${file}" has format version ${JSON.stringify(plan?.formatVersion)}`, `this argosctl reads format version ${PLAN_FORMAT_VERSION}; plan again with this version`);
  }
  return plan;
}
