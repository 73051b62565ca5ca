// The audit trail as one timeline: every recorded event, oldest first, from the tables that hold
// them: applies and break-glass (audit_log, with applied_plans' dirty files), key reveals
// (key_reveals), rewraps and webhook redrives (audit_events), administrator sign-ins
// (admin_logins, written by the dashboard) and prune passes (prune_runs). `history` and `blame`
// render it; nothing here formats for a medium. A table this login may not read (the plan role
// reads no personal data or key tables) is left out and named in `unreadable`.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { flattenSettings, settingKey } from '../model/flatten.js';
import type { Json, ProjectSettings } from '../model/project-settings.js';
import { createdSettings } from '../plan/created-settings.js';
import { formatSettingValue } from '../render/format-value.js';
import { jsonEqual } from '../util/canonical-json.js';
import { shownValue, type DirtyFile, type WrittenSetting, type WrittenValues } from './values-as-written.js';

export const EVENT_KINDS = ['apply', 'break-glass', 'reveal', 'rewrap', 'redrive', 'sign-in', 'prune'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

interface EventBase {
  /** Unique in the timeline: the kind's table and row id. */
  id: string;
  kind: EventKind;
  time: string;
  actor: string;
  project: string | null;
}

export interface ApplyEvent extends EventBase {
  kind: 'apply';
  project: string;
  commit: string | null;
  branch: string | null;
  author: string | null;
  pr: number | null;
  /** The manifest files differed from the commit: the commit alone does not say what was applied. */
  dirty: boolean;
  /** When dirty: the files that differed, with the digest of the bytes applied. */
  dirtyFiles: DirtyFile[] | null;
  plan: string;
  action: 'create' | 'update' | 'add' | 'remove';
  /** Manifest path (`spec.admins[ops@x]`); `project` for a create. */
  setting: string;
  before: Json;
  after: Json;
  /** before and after as a manifest writes them (`24h`), `(default)` when nobody wrote it. */
  shown: { before: string; after: string; default: boolean };
  /** On create: every value of the new project by manifest path, as written, defaults marked. */
  settings?: WrittenSetting[];
  reason: string;
}

export interface BreakGlassEvent extends EventBase {
  kind: 'break-glass';
  project: string;
  action: 'emergency-stop' | 'emergency-resume';
  setting: string;
  before: Json;
  after: Json;
  reason: string;
  commit: string | null;
}

export interface RevealEvent extends EventBase {
  kind: 'reveal';
  project: string;
  /** `api-key`, `webhook-secret` or `encryption-key:NAME`. */
  secret: string;
  rotation: number;
  fingerprint: string;
}

export interface RewrapEvent extends EventBase {
  kind: 'rewrap';
  rewrapped: Record<string, number>;
  sealedFromClear: number;
  /** `keys rewrap --old-key-lost`: the configured key adopted; this many sealed values no key opens. */
  unopenable?: number;
}

export interface RedriveEvent extends EventBase {
  kind: 'redrive';
  project: string;
  events: string[];
}

export interface SignInEvent extends EventBase {
  kind: 'sign-in';
  ip: string | null;
  userAgent: string | null;
}

export interface PruneEvent extends EventBase {
  kind: 'prune';
  project: string;
  /** The worker's 10-minute tick; null for `argosctl prune`. */
  tick: string | null;
  expiredMarked: number;
  expiredDeleted: number;
  volumeDeleted: number;
  registeredBefore: number;
  registeredAfter: number;
  outcome: string;
}

export type TimelineEvent =
  | ApplyEvent
  | BreakGlassEvent
  | RevealEvent
  | RewrapEvent
  | RedriveEvent
  | SignInEvent
  | PruneEvent;

export interface TimelineQuery {
  project?: string;
  since?: Date;
  /** Only these kinds; empty or absent: all. */
  kinds?: readonly EventKind[];
}

export interface Timeline {
  events: TimelineEvent[];
  /** Tables this login may not read (or that do not exist): their events are not shown. */
  unreadable: string[];
}

/** Which kind each table feeds, for the `unreadable` note. */
const TABLE_KINDS: Record<string, EventKind[]> = {
  audit_log: ['apply', 'break-glass'],
  key_reveals: ['reveal'],
  audit_events: ['rewrap', 'redrive'],
  admin_logins: ['sign-in'],
  prune_runs: ['prune'],
};

async function readableTables(db: Kysely<DatabaseSchema>, names: readonly string[]): Promise<Set<string>> {
  const { rows } = await sql<{ name: string }>`
    select name from unnest(cast(${`{${names.join(',')}}`} as text[])) as t(name)
    where to_regclass(name) is not null and has_table_privilege(to_regclass(name), 'SELECT')`.execute(db);
  return new Set(rows.map((r) => r.name));
}

const iso = (d: Date | string) => new Date(d).toISOString();

/** The order of kinds at one instant: an apply's rows first, then what followed from it. */
const KIND_ORDER: Record<EventKind, number> = {
  'sign-in': 0,
  apply: 1,
  'break-glass': 2,
  reveal: 3,
  rewrap: 4,
  redrive: 5,
  prune: 6,
};

function compareEvents(a: TimelineEvent, b: TimelineEvent): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  return Number(a.id.slice(a.id.indexOf(':') + 1)) - Number(b.id.slice(b.id.indexOf(':') + 1));
}

/** A create row of an apply from before migration 009: its settings read back from the stored project. */
function settingsOfStoredProject(after: Json): WrittenSetting[] {
  return createdSettings(after as unknown as ProjectSettings).map((s) => {
    const key = settingKey(s.path, s.member);
    return {
      setting: key,
      value: s.member !== undefined ? formatSettingValue(key, s.value) : shownValue(s.path, s.value),
      ...(s.default ? { default: true as const } : {}),
    };
  });
}

/** The last value and its written text per project and setting, as the applies left them. */
type WrittenState = Map<string, Map<string, { value: Json; shown: string }>>;

async function readApplies(db: Kysely<DatabaseSchema>, q: TimelineQuery): Promise<TimelineEvent[]> {
  const rows = await db
    .selectFrom('audit_log as a')
    .leftJoin('applied_plans as p', 'p.plan_digest', 'a.plan_digest')
    .select([
      'a.id',
      'a.applied_at',
      'a.actor',
      'a.git_commit',
      'a.git_branch',
      'a.git_author',
      'a.pr_number',
      'a.plan_digest',
      'a.project_id',
      'a.action',
      'a.path',
      'a.member',
      'a.before',
      'a.after',
      'a.reason',
      'a.dirty',
      'a.written',
      'p.dirty_files',
    ])
    .$if(q.project !== undefined, (b) => b.where('a.project_id', '=', q.project!))
    .orderBy('a.id')
    .execute();
  // Every row is read (not only those after --since): a `before` reads as the text that set it.
  const state: WrittenState = new Map();
  const out: TimelineEvent[] = [];
  for (const r of rows) {
    const time = iso(r.applied_at);
    const id = String(r.id);
    if (r.action === 'emergency-stop' || r.action === 'emergency-resume') {
      out.push({
        id: `audit_log:${id}`,
        kind: 'break-glass',
        time,
        actor: r.actor,
        project: r.project_id,
        action: r.action,
        setting: r.path,
        before: r.before,
        after: r.after,
        reason: r.reason,
        commit: r.git_commit,
      });
      continue;
    }
    const written = (r.written ?? {}) as WrittenValues;
    const project = state.get(r.project_id) ?? new Map<string, { value: Json; shown: string }>();
    state.set(r.project_id, project);
    const setting = r.action === 'create' ? 'project' : settingKey(r.path, r.member);
    let settings: WrittenSetting[] | undefined;
    let shown = { before: '', after: '', default: false };
    if (r.action === 'create') {
      settings = written.settings ?? settingsOfStoredProject(r.after);
      const values = flattenSettings(r.after as unknown as ProjectSettings);
      project.clear();
      for (const s of settings) project.set(s.setting, { value: values.get(s.setting) ?? null, shown: s.value });
    } else {
      const last = project.get(setting);
      const before = last && jsonEqual(last.value, r.before) ? last.shown : shownValue(setting, r.before);
      const after = r.action === 'remove' ? '(absent)' : shownValue(setting, r.after, written.after);
      shown = { before: r.action === 'add' ? '(absent)' : before, after, default: written.default === true };
      project.set(setting, { value: r.after, shown: after });
    }
    out.push({
      id: `audit_log:${id}`,
      kind: 'apply',
      time,
      actor: r.actor,
      project: r.project_id,
      commit: r.git_commit,
      branch: r.git_branch,
      author: r.git_author,
      pr: r.pr_number,
      dirty: r.dirty,
      dirtyFiles: r.dirty ? (r.dirty_files ?? []) : null,
      plan: r.plan_digest,
      action: r.action as ApplyEvent['action'],
      setting,
      before: r.action === 'create' ? null : r.before,
      after: r.action === 'create' ? null : r.after,
      shown,
      ...(settings ? { settings } : {}),
      reason: r.reason,
    });
  }
  return out;
}

async function readReveals(db: Kysely<DatabaseSchema>, q: TimelineQuery): Promise<TimelineEvent[]> {
  const rows = await db
    .selectFrom('key_reveals')
    .selectAll()
    .$if(q.project !== undefined, (b) => b.where('project_id', '=', q.project!))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: `key_reveals:${r.id}`,
    kind: 'reveal',
    time: iso(r.revealed_at),
    actor: r.revealed_by,
    project: r.project_id,
    secret: r.secret,
    rotation: r.rotation,
    fingerprint: r.fingerprint,
  }));
}

async function readAuditEvents(db: Kysely<DatabaseSchema>, q: TimelineQuery): Promise<TimelineEvent[]> {
  const rows = await db
    .selectFrom('audit_events')
    .selectAll()
    // a rewrap concerns every project: it is shown with each
    .$if(q.project !== undefined, (b) =>
      b.where((w) => w.or([w('project_id', '=', q.project!), w('project_id', 'is', null)])),
    )
    .orderBy('id')
    .execute();
  return rows.map((r): TimelineEvent => {
    const base = { id: `audit_events:${r.id}`, time: iso(r.at), actor: r.actor };
    const detail = r.detail as Record<string, unknown>;
    if (r.kind === 'rewrap')
      return {
        ...base,
        kind: 'rewrap',
        project: null,
        rewrapped: (detail.rewrapped ?? {}) as Record<string, number>,
        sealedFromClear: Number(detail.sealedFromClear ?? 0),
        ...(detail.oldKeyLost ? { unopenable: Number(detail.unopenable ?? 0) } : {}),
      };
    return {
      ...base,
      kind: 'redrive',
      project: r.project_id ?? '',
      events: ((detail.events ?? []) as unknown[]).map(String),
    };
  });
}

async function readSignIns(db: Kysely<DatabaseSchema>, q: TimelineQuery): Promise<TimelineEvent[]> {
  const rows = await db
    .selectFrom('admin_logins as l')
    .select(['l.id', 'l.email', 'l.logged_in_at', 'l.ip', 'l.user_agent'])
    // a project's sign-ins: those of its administrators
    .$if(q.project !== undefined, (b) =>
      b.where('l.email', 'in', (s) => s.selectFrom('admins').select('email').where('project_id', '=', q.project!)),
    )
    .orderBy('l.id')
    .execute();
  return rows.map((r) => ({
    id: `admin_logins:${r.id}`,
    kind: 'sign-in',
    time: iso(r.logged_in_at),
    actor: r.email,
    project: null,
    ip: r.ip,
    userAgent: r.user_agent,
  }));
}

async function readPrunes(db: Kysely<DatabaseSchema>, q: TimelineQuery): Promise<TimelineEvent[]> {
  const rows = await db
    .selectFrom('prune_runs')
    .selectAll()
    .$if(q.project !== undefined, (b) => b.where('project_id', '=', q.project!))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: `prune_runs:${r.id}`,
    kind: 'prune',
    time: iso(r.started_at),
    actor: r.tick ? 'worker' : 'argosctl prune',
    project: r.project_id,
    tick: r.tick ? iso(r.tick) : null,
    expiredMarked: r.expired_marked,
    expiredDeleted: r.expired_deleted,
    volumeDeleted: r.volume_deleted,
    registeredBefore: r.registered_before,
    registeredAfter: r.registered_after,
    outcome: r.outcome,
  }));
}

const READERS: Record<string, (db: Kysely<DatabaseSchema>, q: TimelineQuery) => Promise<TimelineEvent[]>> = {
  audit_log: readApplies,
  key_reveals: readReveals,
  audit_events: readAuditEvents,
  admin_logins: readSignIns,
  prune_runs: readPrunes,
};

export async function readTimeline(db: Kysely<DatabaseSchema>, q: TimelineQuery = {}): Promise<Timeline> {
  const kinds = new Set<EventKind>(q.kinds?.length ? q.kinds : EVENT_KINDS);
  const wanted = Object.keys(READERS).filter((t) => TABLE_KINDS[t].some((k) => kinds.has(k)));
  // the project filter of sign-ins reads admins
  const readable = await readableTables(db, [...wanted, 'admins']);
  const unreadable = wanted.filter(
    (t) => !readable.has(t) || (t === 'admin_logins' && q.project && !readable.has('admins')),
  );
  const since = q.since?.toISOString();
  const events: TimelineEvent[] = [];
  for (const table of wanted) {
    if (unreadable.includes(table)) continue;
    for (const e of await READERS[table](db, q)) if (kinds.has(e.kind) && (!since || e.time >= since)) events.push(e);
  }
  return { events: events.sort(compareEvents), unreadable };
}

/** `--kind apply --kind reveal` or `--kind apply,reveal`: the kinds, each one checked. */
export function parseKinds(values: readonly string[]): EventKind[] | { unknown: string } {
  const out: EventKind[] = [];
  for (const part of values.flatMap((v) => v.split(','))) {
    const kind = part.trim();
    if (!kind) continue;
    if (!(EVENT_KINDS as readonly string[]).includes(kind)) return { unknown: kind };
    if (!out.includes(kind as EventKind)) out.push(kind as EventKind);
  }
  return out;
}
