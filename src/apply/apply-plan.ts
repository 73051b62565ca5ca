// Apply: the whole plan in one transaction under the apply lock, after checking that the
// database still looks exactly as it did when the plan was made.
import { projectsIssuingSecrets } from '../plan/issues-secrets.js';
import { countClearKeys, sealClearKeys } from '../keys/encryption-keys.js';
import { checkedMasterKey, MASTER_KEY_LOCK_WAIT_MS } from '../keys/master-key-check.js';
import { resolveMasterKey, type MasterKeySource } from '../keys/master-key.js';
import type { Kysely, Transaction } from 'kysely';
import { GuardError, UserError } from '../errors.js';
import { recordSources, type SourceRecord } from '../db/applied-sources.js';
import { readState, type CurrentState } from '../db/read-state.js';
import type { DatabaseSchema } from '../db/schema.js';
import { summarize, type Change, type Plan } from '../plan/plan-types.js';
import { takeApplyLock, type LockOptions } from './apply-lock.js';
import { writeAuditRows, type ApplyContext } from './audit.js';
import { StatementCounter } from './fault-injection.js';
import { writeChanges } from './write-changes.js';
import { jsonb } from '../db/sql-values.js';

export interface ApplyResult {
  /** The plan as executed: without the changes held back. */
  plan: Plan;
  /** Changes left out: break-glass values set outside git that no flag lifted. */
  held: Change[];
  statements: number;
}

export interface ApplyOptions extends ApplyContext {
  lock: LockOptions;
  /**
   * Guards that refuse a plan (stale state, risky changes, blast radius) throw GuardError; the
   * changes returned in `held` are left out and the rest is applied.
   */
  check?(plan: Plan, state: CurrentState): { held: Change[] } | void;
  /** A saved plan's digest: refused at once when that very plan was applied before. */
  savedPlanDigest?: string;
  /** Asked with the lock held, after the checks; false cancels without writing. */
  confirm?(plan: Plan): Promise<boolean>;
  /** The master key that seals newly issued secrets (default: from the environment). */
  masterKey?: () => Buffer;
  /** Where masterKey comes from, for its check's messages (the embedded key file is not made anew over sealed secrets). */
  masterKeySource?: MasterKeySource;
  /** Told when writing starts and ends (the CLI shows it on stderr). */
  onProgress?(message: string): void;
  /** Reads the state under the lock (default: readState of the scope; the CLI passes the files it skipped). */
  readState?(tx: Transaction<DatabaseSchema>): Promise<CurrentState>;
  /**
   * The projects the database now matches, with the manifest sources to record for them so a
   * later plan can skip their files (src/apply/record-sources.ts); asked after the checks.
   */
  record?(plan: Plan, held: readonly Change[]): SourceRecord[];
}

async function ensureNotApplied(tx: Transaction<DatabaseSchema>, planDigest: string): Promise<void> {
  const done = await tx
    .selectFrom('applied_plans')
    .select(['applied_at', 'actor'])
    .where('plan_digest', '=', planDigest)
    .executeTakeFirst();
  if (done)
    throw new GuardError(
      `this plan was already applied at ${new Date(done.applied_at).toISOString()} by ${done.actor}`,
      'run argosctl plan again',
    );
}

/** The plan without the held changes; its digest stays the one of the plan that was reviewed. */
function withoutHeld(plan: Plan, held: readonly Change[]): Plan {
  if (held.length === 0) return plan;
  const changes = plan.changes.filter((c) => !held.includes(c));
  return { ...plan, changes, summary: summarize(changes, plan.unmanaged.length) };
}

/**
 * Runs `makePlan` against the state read under the lock, then executes the plan it returns.
 * A saved plan passes a function that recomputes it and compares (src/apply/saved-plan.ts).
 */
export async function lockedApply(
  db: Kysely<DatabaseSchema>,
  scope: readonly string[] | undefined,
  makePlan: (state: CurrentState) => Plan,
  options: ApplyOptions,
): Promise<ApplyResult> {
  return db.transaction().execute(async (tx) => {
    await takeApplyLock(tx, db, options.lock);
    if (options.savedPlanDigest) await ensureNotApplied(tx, options.savedPlanDigest);
    const state = await (options.readState ? options.readState(tx) : readState(tx, scope));
    const planned = makePlan(state);
    if (planned.changes.length > 0) await ensureNotApplied(tx, planned.planDigest);
    const held = options.check?.(planned, state)?.held ?? [];
    const plan = withoutHeld(planned, held);
    if (plan.changes.length === 0) {
      await recordSources(tx, options.record?.(plan, held) ?? []);
      return { plan, held, statements: 0 };
    }
    if (options.confirm && !(await options.confirm(plan))) throw new UserError('apply cancelled; nothing was written');
    // A missing or wrong master key fails here, before "writing…" says anything is under way.
    let masterKey = options.masterKey ?? (() => resolveMasterKey(undefined));
    const clearKeys = await countClearKeys(tx);
    if (projectsIssuingSecrets(plan).length || clearKeys > 0) {
      const checked = await checkedMasterKey(
        tx,
        masterKey,
        options.masterKeySource,
        Math.max(options.lock.timeoutMs, MASTER_KEY_LOCK_WAIT_MS),
      );
      masterKey = () => checked;
    }
    const counter = new StatementCounter();
    const started = performance.now();
    options.onProgress?.(
      `writing ${plan.changes.length} change(s) to ${plan.summary.projectsChanged} project(s) in one transaction…`,
    );
    // Keys from before migration 005 are sealed by the first apply that holds the master key.
    if (clearKeys > 0) await sealClearKeys(tx, masterKey());
    await writeChanges(tx, plan.changes, counter, masterKey);
    await writeAuditRows(tx, plan.changes, plan.planDigest, options, counter);
    await counter.run(() =>
      tx
        .insertInto('applied_plans')
        .values({
          plan_digest: plan.planDigest,
          actor: options.actor,
          change_count: plan.changes.length,
          dirty: options.git.dirty === true,
          dirty_files: options.git.dirty ? jsonb(options.git.dirtyFiles ?? []) : null,
        })
        .execute(),
    );
    // Last: the revisions it records are the ones every write above left.
    await recordSources(tx, options.record?.(plan, held) ?? []);
    options.onProgress?.(
      `wrote ${counter.statements} statement(s) in ${Math.round(performance.now() - started)} ms; committing`,
    );
    return { plan, held, statements: counter.statements };
  });
}

export function assertFresh(saved: Plan, state: CurrentState): void {
  if (saved.stateFingerprint !== state.fingerprint) {
    throw new GuardError(
      'the saved plan is stale: the database changed since it was planned',
      'run argosctl plan again and review the new plan',
    );
  }
}
