// The plan: plain, frozen, versioned data. Renderers read it; the applier executes it; nobody
// decides anything from it twice.
import type { Diagnostic } from '../manifest/diagnostic.js';
import type { Json } from '../model/project-settings.js';
import type { CreatedSetting } from './created-settings.js';
import type { DirtyFile } from '../audit/values-as-written.js';
import type { PlanTraffic } from './traffic-types.js';

export const PLAN_FORMAT_VERSION = 1;

export type ChangeAction = 'create' | 'update' | 'add' | 'remove';
/** Fixed order of actions inside one project, so output is stable. */
export const ACTION_ORDER: Record<ChangeAction, number> = { create: 0, update: 1, add: 2, remove: 3 };

export const RISK_CLASSES = [
  'enter-close',
  'leave-close',
  'emergency-stop',
  'emergency-resume',
  'whitelist-remove',
  'whitelist-widen',
  'disable-encrypted-only',
  'disable-private-mode',
  'disable-pre-registration',
  'disable-privacy-protection',
  'disable-secure-transmission',
  'downgrade-encryption',
  'remove-last-admin',
  'retire-key',
  'revoke-api-key',
  'reactivate-key',
  'policy-relax',
  'refuses-live-traffic',
] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];

/** The last break-glass action on a project (emergency stop or resume, outside git). */
export interface OutsideGitNote {
  action: 'emergency-stop' | 'emergency-resume';
  actor: string;
  at: string;
  reason: string;
}

export interface ChangeSource {
  file: string;
  line: number;
}

interface ChangeBase {
  projectId: string;
  /** Manifest path of the setting, e.g. `spec.security.ipWhitelist.api`. */
  path: string;
  /** For set members (IP ranges, admins, keys): the member's key. */
  member?: string;
  before: Json;
  after: Json;
  /** Why this change is in the plan, in words. */
  reason: string;
  source: ChangeSource | null;
  risk?: RiskClass[];
  /** Entering OPEN: credit billing may start. */
  billing?: boolean;
  /** The database value was set by break-glass outside git: apply leaves it unless allowed. */
  outsideGit?: OutsideGitNote;
  /** `after` as the manifest writes it, where that differs from the stored form (a duration: `24h`). */
  written?: string;
  /** Nobody wrote `after`: the manifest leaves the setting out and this is what that means. */
  default?: true;
}

export interface CreateChange extends ChangeBase {
  action: 'create';
  path: 'project';
  /** Every set value of the new project, defaults marked: what a reviewer must see. */
  settings: CreatedSetting[];
}
export interface UpdateChange extends ChangeBase {
  action: 'update';
}
export interface AddChange extends ChangeBase {
  action: 'add';
  member: string;
}
export interface RemoveChange extends ChangeBase {
  action: 'remove';
  member: string;
}
export type Change = CreateChange | UpdateChange | AddChange | RemoveChange;

export interface GitInfo {
  commit?: string;
  branch?: string;
  author?: string;
  pr?: number;
  /** The manifest folder differs from the commit (tracked changes or untracked manifests); absent outside git. */
  dirty?: boolean;
  /** When dirty: the files that differ, with the digest of their bytes as planned. */
  dirtyFiles?: DirtyFile[];
}

export interface PlanSummary {
  create: number;
  update: number;
  add: number;
  remove: number;
  projectsChanged: number;
  risky: number;
  billing: number;
  unmanaged: number;
}

/**
 * What apply will refuse (risk, blast-radius, empty-folder: exit 3) or leave as it is
 * (break-glass: the change is held back) unless `unless` is done.
 */
export interface Refusal {
  kind: 'risk' | 'blast-radius' | 'empty-folder' | 'break-glass';
  message: string;
  unless: string;
  /** The risk class a flag `--allow CLASS` lifts (risk and break-glass). */
  risk?: RiskClass;
  /** For break-glass: the change apply leaves out. */
  projectId?: string;
  path?: string;
}

/** Where the rules that relax guards (allow, policy, …) were read from, when not the working tree. */
export interface PlanPolicy {
  /** The revision as it was named (--policy-from, or the CI default), and the commit it resolved to. */
  ref: string;
  commit: string;
  /** argosctl.yaml's path in the repository (absent at that commit: no relaxing rules). */
  file: string;
  /** How the working tree's argosctl.yaml relaxes a guard compared with it (risk class policy-relax). */
  relaxed: string[];
}

/** An allow rule in force, and where it was read from. */
export interface Allowance {
  class: string;
  projects?: string[];
  from: string;
}

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  /** The argosctl version that made the plan; a saved plan applies only with the same version. */
  argosctlVersion: string;
  createdAt: string;
  stateFingerprint: string;
  manifestDigest: string;
  /** Digest of the changes themselves: what was reviewed, recorded as applied. */
  planDigest: string;
  git: GitInfo;
  /** Projects in the database with no manifest: reported, never changed. */
  unmanaged: string[];
  /** Projects the plan covered (all manifests, or the --project selection). */
  scope: string[] | 'all';
  /** How many projects existed when planned (for the blast-radius guard). */
  existingProjects: number;
  summary: PlanSummary;
  changes: Change[];
  /** What apply will refuse or hold back, unless allowed: shown by plan before merge. */
  refusals: Refusal[];
  /** Present when relaxing rules were read from a git revision (--policy-from). */
  policy?: PlanPolicy;
  /** The allow rules in force (flags are added at apply); absent when there are none. */
  allowances?: Allowance[];
  diagnostics: Diagnostic[];
  /** Lint warnings of the planned manifests (valid but dangerous settings); they do not stop apply. */
  warnings?: Diagnostic[];
  /** What the changes would have refused of the traffic serve recorded (absent when not read). */
  traffic?: PlanTraffic;
}

export function summarize(changes: readonly Change[], unmanaged: number): PlanSummary {
  const s: PlanSummary = {
    create: 0,
    update: 0,
    add: 0,
    remove: 0,
    projectsChanged: new Set(changes.map((c) => c.projectId)).size,
    risky: 0,
    billing: 0,
    unmanaged,
  };
  for (const c of changes) {
    s[c.action]++;
    if (c.risk?.length) s.risky++;
    if (c.billing) s.billing++;
  }
  return s;
}
