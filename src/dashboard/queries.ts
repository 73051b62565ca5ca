// What the dashboard pages show, read in a few statements each. Visibility is decided in SQL (the
// person's admin rows, managed regions, auditor flag) so the overview stays one query however many
// projects the database holds; pages only render what these return.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { readState } from '../db/read-state.js';
import { manifestOf } from '../export/manifest-of.js';
import { renderManifest } from '../export/render-manifest.js';
import { viewerOf, type Person, type Viewer } from './access.js';

type Db = Kysely<DatabaseSchema>;

export const TOKEN_CAP = 100_000;
export const PAGE_SIZE = 50;

export interface ProjectRow {
  id: string;
  name: string;
  status: string;
  submissions: string;
  region: string | null;
  privacyProtection: boolean;
  registered: number;
  /** The project's dashboard whitelist (empty: any address). */
  dashboardRanges: string[];
  viewer: Viewer;
  lastApply: { at: Date; actor: string; commit: string | null; pr: number | null; action: string } | null;
  /** Changed in the database since the last apply (a hand-written UPDATE, break-glass). */
  dirty: boolean;
  /** The latest `argosctl drift` run, when it ran after the project was created. */
  lastDrift: LastDrift | null;
}

export interface LastDrift {
  at: Date;
  /** Settings that differed between manifests and database (0: in sync). */
  differences: number;
  /** No manifest named the project. */
  unmanaged: boolean;
}

export const SORTS = ['id', 'status', 'region', 'tokens'] as const;
export type Sort = (typeof SORTS)[number];

interface RawProject {
  id: string;
  name: string;
  status: string;
  submissions: string;
  region: string | null;
  privacy_protection: boolean;
  registered: number | string | null;
  ranges: string[];
  role: string | null;
  revision: string | number;
  applied_revision: string | number | null;
  la_at: Date | string | null;
  la_actor: string | null;
  la_commit: string | null;
  la_pr: number | null;
  la_action: string | null;
  ld_at: Date | string | null;
  ld_differences: number | string | null;
  ld_unmanaged: boolean | null;
}

function projectRow(r: RawProject, person: Person): ProjectRow | undefined {
  const viewer = viewerOf({ adminRole: r.role, region: r.region }, person);
  if (!viewer) return undefined;
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    submissions: r.submissions,
    region: r.region,
    privacyProtection: r.privacy_protection,
    registered: Number(r.registered ?? 0),
    dashboardRanges: r.ranges,
    viewer,
    lastApply: r.la_at
      ? { at: new Date(r.la_at), actor: r.la_actor!, commit: r.la_commit, pr: r.la_pr, action: r.la_action! }
      : null,
    dirty: r.applied_revision !== null && String(r.revision) !== String(r.applied_revision),
    lastDrift: r.ld_at
      ? { at: new Date(r.ld_at), differences: Number(r.ld_differences ?? 0), unmanaged: r.ld_unmanaged === true }
      : null,
  };
}

/** The projects this person may see, filtered by id or name, sorted and one page of them. */
export async function visibleProjects(
  db: Db,
  person: Person,
  options: { filter?: string; sort?: Sort; page?: number; only?: string } = {},
): Promise<{ rows: ProjectRow[]; total: number }> {
  const order = {
    id: sql`p.id`,
    status: sql`p.status, p.id`,
    region: sql`p.region nulls last, p.id`,
    tokens: sql`coalesce(c.registered, 0) - coalesce(dc.deleted, 0) desc, p.id`,
  }[options.sort ?? 'id'];
  const filter = options.filter ? `%${options.filter.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const regions = person.regions;
  const page = Math.max(1, options.page ?? 1);
  const only = options.only ?? null;
  // The visible set is counted and one page of it picked first; the per-project details (last
  // apply, whitelist) are then read for that page only, so the cost stays per page, not per project.
  const visible = sql`(${person.auditor} or a.email is not null or p.region = any(cast(${regions} as text[])))
      and (${filter}::text is null or p.id ilike ${filter} or p.name ilike ${filter})
      and (${only}::text is null or p.id = ${only})`;
  // The registered count: the counter less the deletions striped beside it (migration 016).
  const { rows } = await sql<RawProject & { total: string | number }>`
    with deleted_counts as (select project_id, sum(deleted) as deleted from token_deleted_counts group by project_id),
    page as (
      select p.id, a.role, row_number() over (order by ${order}) as rn
      from projects p
      left join admins a on a.project_id = p.id and a.email = ${person.email}
      left join token_counts c on c.project_id = p.id
      left join deleted_counts dc on dc.project_id = p.id
      where ${visible}
      order by ${order}
      limit ${PAGE_SIZE} offset ${(page - 1) * PAGE_SIZE}),
    last_drift as (select checked_at, drifted, unmanaged from drift_checks order by checked_at desc limit 1)
    select p.id, p.name, p.status, p.submissions, p.region, p.privacy_protection,
      coalesce(c.registered, 0) - coalesce(dc.deleted, 0) as registered,
      p.revision, p.applied_revision, page.role, la.applied_at as la_at, la.actor as la_actor,
      la.git_commit as la_commit, la.pr_number as la_pr, la.action as la_action,
      case when ld.checked_at >= p.created_at then ld.checked_at end as ld_at,
      (ld.drifted ->> p.id)::int as ld_differences, p.id = any(ld.unmanaged) as ld_unmanaged,
      coalesce((select array_agg(cast(w.range as text)) from ip_whitelist w
                where w.project_id = p.id and w.scope = 'dashboard'), '{}') as ranges,
      (select count(*) from projects p left join admins a on a.project_id = p.id and a.email = ${person.email}
       where ${visible}) as total
    from page
    join projects p on p.id = page.id
    left join token_counts c on c.project_id = p.id
    left join deleted_counts dc on dc.project_id = p.id
    left join lateral (select applied_at, actor, git_commit, pr_number, action from audit_log l
                       where l.project_id = p.id order by l.id desc limit 1) la on true
    left join last_drift ld on true
    order by page.rn`.execute(db);
  return {
    rows: rows.map((r) => projectRow(r, person)).filter((r): r is ProjectRow => r !== undefined),
    total: Number(rows[0]?.total ?? 0),
  };
}

/** Does this person see any project at all (sign-in refuses those who see none)? */
export async function seesAnyProject(db: Db, person: Person): Promise<boolean> {
  if (person.auditor) return true;
  const regions = person.regions;
  const { rows } = await sql<{ one: number }>`
    select 1 as one from projects p where p.region = any(cast(${regions} as text[]))
      or exists (select 1 from admins a where a.project_id = p.id and a.email = ${person.email})
    limit 1`.execute(db);
  return rows.length > 0;
}

export async function oneProject(db: Db, person: Person, id: string): Promise<ProjectRow | undefined> {
  return (await visibleProjects(db, person, { only: id })).rows[0];
}

/** The project's current settings as the manifest `export` would write. */
export async function settingsManifest(db: Db, id: string): Promise<string | undefined> {
  const settings = (await readState(db, [id])).projects.get(id);
  if (!settings) return undefined;
  return renderManifest(manifestOf(settings, undefined), '../schemas/project.v2.json', 'as the database holds it now');
}

export interface TimelineItem {
  at: Date;
  kind: 'apply' | 'break-glass' | 'reveal' | 'sign-in';
  actor: string;
  what: string;
  commit: string | null;
  pr: number | null;
  reason: string | null;
}

/** `withPersonal`: also key reveals and the admins' sign-ins (owner, leader, manager, auditor). */
export async function timeline(db: Db, id: string, withPersonal: boolean, limit = 50): Promise<TimelineItem[]> {
  const { rows } = await sql<{
    at: Date | string;
    kind: TimelineItem['kind'];
    actor: string;
    what: string;
    commit: string | null;
    pr: number | null;
    reason: string | null;
  }>`
    select * from (
      (select applied_at as at, case when plan_digest = 'break-glass' then 'break-glass' else 'apply' end as kind,
              actor, action || ' ' || path || coalesce(' ' || member, '') as what, git_commit as commit,
              pr_number as pr, reason
         from audit_log where project_id = ${id} order by id desc limit ${limit})
      union all
      (select revealed_at, 'reveal', revealed_by, secret || ' rotation ' || rotation || ' (' || fingerprint || ')',
              null, null, null
         from key_reveals where project_id = ${id} and ${withPersonal} order by id desc limit ${limit})
      union all
      (select l.logged_in_at, 'sign-in', l.email, 'dashboard sign-in (' || coalesce(l.method, '?') || '): '
              || coalesce(l.outcome, '?') || coalesce(', ' || l.reason, ''), null, null, null
         from admin_logins l where ${withPersonal}
           and l.email in (select email from admins where project_id = ${id})
         order by l.logged_in_at desc limit ${limit})
    ) t order by at desc limit ${limit}`.execute(db);
  return rows.map((r) => ({ ...r, at: new Date(r.at) }));
}

export interface AdminRow {
  email: string;
  role: string;
  lastSignIn: Date | null;
}

export async function projectAdmins(db: Db, id: string): Promise<AdminRow[]> {
  const { rows } = await sql<{ email: string; role: string; last: Date | string | null }>`
    select a.email, a.role,
      (select max(l.logged_in_at) from admin_logins l where l.email = a.email and l.outcome = 'success') as last
    from admins a where a.project_id = ${id} order by a.email`.execute(db);
  return rows.map((r) => ({ email: r.email, role: r.role, lastSignIn: r.last ? new Date(r.last) : null }));
}

export interface DayCount {
  day: string;
  registered: number;
  used: number;
  expired: number;
}

/** Tokens registered, first used and expired per day over the last `days` days (UTC), oldest first. */
export async function tokensPerDay(db: Db, id: string, now: Date, days = 30): Promise<DayCount[]> {
  // One grouped count per kind of event, each over the window only (registrations through the
  // (project_id, registered_at) index), joined onto the days; dates, not strings, until the end.
  const { rows } = await sql<{ day: string; registered: string; used: string; expired: string }>`
    with w as (select (${now}::timestamptz at time zone 'UTC')::date - cast(${days - 1} as int) as first,
                      ((${now}::timestamptz at time zone 'UTC')::date - cast(${days - 1} as int))::timestamp at time zone 'UTC' as since),
    d as (select g::date as day from w, generate_series(w.first, w.first + cast(${days - 1} as int), interval '1 day') g),
    r as (select (registered_at at time zone 'UTC')::date as day, count(*) as n from tokens, w
          where project_id = ${id} and registered_at >= w.since group by 1),
    u as (select (first_used_at at time zone 'UTC')::date as day, count(*) as n from tokens, w
          where project_id = ${id} and first_used_at >= w.since group by 1),
    e as (select (expired_at at time zone 'UTC')::date as day, count(*) as n from tokens, w
          where project_id = ${id} and expired_at >= w.since group by 1)
    select to_char(d.day, 'YYYY-MM-DD') as day, coalesce(r.n, 0) as registered, coalesce(u.n, 0) as used,
           coalesce(e.n, 0) as expired
    from d left join r on r.day = d.day left join u on u.day = d.day left join e on e.day = d.day
    order by d.day`.execute(db);
  return rows.map((r) => ({
    day: r.day,
    registered: Number(r.registered),
    used: Number(r.used),
    expired: Number(r.expired),
  }));
}

export interface LiveformSessionRow {
  startedAt: Date;
  tokenId: string | null;
  clientIp: string | null;
  result: string | null;
}

export async function recentSessions(db: Db, id: string, limit = 20): Promise<LiveformSessionRow[]> {
  const rows = await db
    .selectFrom('liveform_sessions')
    .select(['started_at', 'token_id', sql<string | null>`host(client_ip)`.as('ip'), 'result'])
    .where('project_id', '=', id)
    .orderBy('started_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    startedAt: new Date(r.started_at as Date),
    tokenId: r.token_id,
    clientIp: r.ip,
    result: r.result,
  }));
}

export interface AuditRow {
  id: string;
  at: Date;
  project: string;
  actor: string;
  action: string;
  path: string;
  member: string | null;
  before: unknown;
  after: unknown;
  commit: string | null;
  pr: number | null;
  reason: string;
}

export interface AuditFilter {
  project?: string;
  actor?: string;
  kind?: string;
  since?: string;
  until?: string;
}

/** The audit trail of the projects this person sees, newest first, filtered. */
export async function auditTrail(db: Db, person: Person, f: AuditFilter, limit: number): Promise<AuditRow[]> {
  const regions = person.regions;
  const date = (s: string | undefined) => (s && /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : null);
  const { rows } = await sql<{
    id: string;
    applied_at: Date | string;
    project_id: string;
    actor: string;
    action: string;
    path: string;
    member: string | null;
    before: unknown;
    after: unknown;
    git_commit: string | null;
    pr_number: number | null;
    reason: string;
  }>`
    select l.* from audit_log l
    where (${person.auditor}
           or exists (select 1 from admins a where a.project_id = l.project_id and a.email = ${person.email}
                      and a.role in ('owner', 'leader', 'member'))
           or exists (select 1 from projects p where p.id = l.project_id and p.region = any(cast(${regions} as text[]))))
      and (${f.project || null}::text is null or l.project_id = ${f.project || null})
      and (${f.actor || null}::text is null or l.actor = ${f.actor || null})
      and (${f.kind || null}::text is null or l.action = ${f.kind || null})
      and (${date(f.since)}::date is null or l.applied_at >= ${date(f.since)}::date)
      and (${date(f.until)}::date is null or l.applied_at < ${date(f.until)}::date + 1)
    order by l.id desc limit ${limit}`.execute(db);
  return rows.map((r) => ({
    id: String(r.id),
    at: new Date(r.applied_at),
    project: r.project_id,
    actor: r.actor,
    action: r.action,
    path: r.path,
    member: r.member,
    before: r.before,
    after: r.after,
    commit: r.git_commit,
    pr: r.pr_number,
    reason: r.reason,
  }));
}

export interface LoginRow {
  at: Date;
  ip: string | null;
  userAgent: string | null;
  method: string | null;
  outcome: string | null;
  reason: string | null;
}

export async function loginsOf(db: Db, email: string, limit = 100): Promise<LoginRow[]> {
  const rows = await db
    .selectFrom('admin_logins')
    .select(['logged_in_at', sql<string | null>`host(ip)`.as('ip'), 'user_agent', 'method', 'outcome', 'reason'])
    .where('email', '=', email.toLowerCase())
    .orderBy('logged_in_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    at: new Date(r.logged_in_at as Date),
    ip: r.ip,
    userAgent: r.user_agent,
    method: r.method,
    outcome: r.outcome,
    reason: r.reason,
  }));
}

/** Projects of this admin email that the person sees with `personal` sight (owner, leader, manager, auditor). */
export async function projectsOfAdmin(db: Db, email: string): Promise<{ id: string; region: string | null }[]> {
  const { rows } = await sql<{ id: string; region: string | null }>`
    select p.id, p.region from admins a join projects p on p.id = a.project_id where a.email = ${email.toLowerCase()}`.execute(
    db,
  );
  return rows;
}

export interface HourCount {
  /** The hour's start, `YYYY-MM-DD HH:00` (UTC). */
  hour: string;
  started: number;
  approved: number;
  rejected: number;
}

/** Liveform sessions admitted (started) per hour over the last `hours` hours, and how they ended. */
export async function admissionsPerHour(db: Db, id: string, now: Date, hours = 48): Promise<HourCount[]> {
  const { rows } = await sql<{ hour: string; started: string; approved: string; rejected: string }>`
    with w as (select date_trunc('hour', ${now}::timestamptz) - make_interval(hours => cast(${hours - 1} as int)) as since),
    h as (select g as hour from w, generate_series(w.since, w.since + make_interval(hours => cast(${hours - 1} as int)), interval '1 hour') g),
    s as (select date_trunc('hour', started_at) as hour, count(*) as started,
                 count(*) filter (where result = 'approved') as approved,
                 count(*) filter (where result = 'rejected') as rejected
          from liveform_sessions, w where project_id = ${id} and started_at >= w.since group by 1)
    select to_char(h.hour at time zone 'UTC', 'YYYY-MM-DD HH24:00') as hour, coalesce(s.started, 0) as started,
           coalesce(s.approved, 0) as approved, coalesce(s.rejected, 0) as rejected
    from h left join s on s.hour = h.hour order by h.hour`.execute(db);
  return rows.map((r) => ({
    hour: r.hour,
    started: Number(r.started),
    approved: Number(r.approved),
    rejected: Number(r.rejected),
  }));
}
