// A small world for the dashboard tests, written straight into a migrated database: projects with
// admins of each role, a region with a manager, a dashboard whitelist, privacy protection with a
// Liveform session, hostile names and audit rows, and a dashboard in process on 127.0.0.1.
import { sql } from 'kysely';
import type { Database } from '../../src/db/connection.js';
import { buildDashboard, type DashboardOptions } from '../../src/dashboard/app.js';
import type { Organization } from '../../src/manifest/organization.js';

export const ORGANIZATION: Organization = {
  apiVersion: 'argosctl/v1',
  kind: 'Organization',
  regions: { eu: { managers: ['boss@eu.example.com'] } },
  dashboard: { auditors: ['@audit.example.com'], repositoryUrl: 'https://github.com/example/argos-config' },
};

export const HOSTILE_NAME = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
export const SECRET_TOKEN = 'SECRETTOKEN12345';
export const END_USER_IP = '203.0.113.77';

export async function seedWorld(database: Database): Promise<void> {
  const { db } = database;
  const project = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    name: `Project ${id}`,
    status: 'TEST',
    ...extra,
  });
  await db
    .insertInto('projects')
    .values([
      project('alpha', {
        webhook_url: 'http://127.0.0.1:9/hook',
        webhook_events: JSON.stringify(['token_expired']),
        webhook_secret_rotation: 1,
      }),
      project('beta', { region: 'eu' }),
      project('walled'),
      project('private', { privacy_protection: true }),
      project('hostile', {
        name: HOSTILE_NAME,
        description: '"><script>alert(1)</script>',
        webhook_url: 'https://hooks.example.com/"><script>alert(1)</script>',
        webhook_events: JSON.stringify(['token_expired']),
        webhook_secret_rotation: 1,
      }),
    ] as never)
    .execute();
  await db
    .insertInto('admins')
    .values([
      { project_id: 'alpha', email: 'owner@example.com', role: 'owner' },
      { project_id: 'alpha', email: 'member@example.com', role: 'member' },
      { project_id: 'alpha', email: 'guest@example.com', role: 'guest' },
      { project_id: 'beta', email: 'beta-owner@example.com', role: 'owner' },
      { project_id: 'walled', email: 'owner@example.com', role: 'owner' },
      { project_id: 'private', email: 'owner@example.com', role: 'owner' },
      { project_id: 'hostile', email: 'owner@example.com', role: 'owner' },
    ] as never)
    .execute();
  await db
    .insertInto('ip_whitelist')
    .values({ project_id: 'walled', scope: 'dashboard', range: '10.0.0.0/8' })
    .execute();
  await db.insertInto('token_counts').values({ project_id: 'alpha', registered: 25_000 }).execute();
  await sql`insert into tokens (project_id, token_id, registered_at, first_used_at)
            values ('alpha', 'tok-00000001', now() - interval '2 days', now() - interval '1 day'),
                   ('alpha', 'tok-00000002', now(), null)`.execute(db);
  await db
    .insertInto('liveform_sessions')
    .values({
      id: '00000000-0000-4000-8000-000000000001',
      project_id: 'private',
      token_id: SECRET_TOKEN,
      pre_registered: false,
      client_ip: END_USER_IP,
      started_at: new Date(),
    } as never)
    .execute();
  const audit = (project_id: string, reason: string, actor = 'ci@example.com') => ({
    actor,
    plan_digest: 'sha256:test',
    project_id,
    action: 'update',
    path: 'metadata.name',
    before: JSON.stringify('old'),
    after: JSON.stringify('new'),
    reason,
    git_commit: '0123456789abcdef0123',
    pr_number: 7,
  });
  await db
    .insertInto('audit_log')
    .values([
      audit('alpha', 'routine'),
      audit('hostile', '=HYPERLINK("https://evil.example","x")', '<b>mallory</b>'),
      audit('beta', 'eu change'),
      audit('walled', 'walled change'),
    ])
    .execute();
  // one drift run: the hostile project differs in two settings, the others are in sync
  await db
    .insertInto('drift_checks')
    .values({ drifted: JSON.stringify({ hostile: 2 }), unmanaged: [] })
    .execute();
}

export interface RunningDashboard {
  base: string;
  logs: string[];
  close(): Promise<void>;
}

export async function startDashboard(
  database: Database,
  options: Partial<DashboardOptions> = {},
  port = 0,
): Promise<RunningDashboard> {
  const logs: string[] = [];
  const app = await buildDashboard(database, {
    organization: ORGANIZATION,
    trustProxy: ['127.0.0.1/32'],
    authProxyHeader: 'x-forwarded-email',
    localLogin: false,
    secureCookies: false,
    log: (line) => logs.push(line),
    ...options,
  });
  await app.listen({ host: '127.0.0.1', port });
  const address = app.server.address() as { port: number };
  return { base: `http://127.0.0.1:${address.port}`, logs, close: () => app.close() };
}

export interface Page {
  status: number;
  text: string;
  headers: Headers;
}

/** A request as the authenticating proxy on 127.0.0.1 sends it (email header, client in X-Forwarded-For). */
export async function asProxy(
  base: string,
  path: string,
  email: string | undefined,
  init: { client?: string; method?: string; form?: Record<string, string>; cookie?: string } = {},
): Promise<Page> {
  const headers: Record<string, string> = { 'user-agent': 'dashboard-test/1' };
  if (email !== undefined) headers['x-forwarded-email'] = email;
  if (init.client) headers['x-forwarded-for'] = init.client;
  if (init.cookie) headers.cookie = init.cookie;
  if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(base + path, {
    method: init.method ?? (init.form ? 'POST' : 'GET'),
    headers,
    body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    redirect: 'manual',
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** The CSRF token of the page's forms. */
export function csrfOf(page: Page): string {
  const m = /name="csrf" value="([^"]+)"/.exec(page.text);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1];
}

/** The cookie a sign-in set, as a Cookie header. */
export function cookieOf(page: Page): string {
  const set = page.headers.get('set-cookie');
  if (!set) throw new Error('no cookie was set');
  return set.split(';')[0];
}
