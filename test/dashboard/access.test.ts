// The dashboard over real HTTP on both databases: sign-in through a trusted proxy header (and its
// refusals, each with a login record), sessions and sign-out, and who sees which project per role.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { asProxy, cookieOf, csrfOf, seedWorld, startDashboard, type RunningDashboard } from './fixtures.js';

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`dashboard sign-in and access on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let dash: RunningDashboard;
    const logins = (email: string) =>
      fresh.database.db
        .selectFrom('admin_logins')
        .selectAll()
        .where('email', '=', email)
        .orderBy('id', 'desc')
        .execute();

    beforeAll(async () => {
      await seedWorld(fresh.database);
      dash = await startDashboard(fresh.database);
    });
    afterAll(() => dash?.close());

    it('signs in from the proxy header: HttpOnly SameSite cookie (not Secure on loopback), a session row, a success record', async () => {
      const page = await asProxy(dash.base, '/', 'Owner@Example.com', { client: '198.51.100.9' });
      expect(page.status).toBe(200);
      const cookie = page.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^argosctl_dashboard=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax/);
      expect(cookie).not.toContain('Secure');
      const [record] = await logins('owner@example.com');
      expect(record).toMatchObject({ method: 'proxy', outcome: 'success', user_agent: 'dashboard-test/1' });
      expect(String(record.ip)).toBe('198.51.100.9');
      const sessions = await fresh.database.db.selectFrom('dashboard_sessions').selectAll().execute();
      expect(sessions.map((s) => s.email)).toContain('owner@example.com');
      // the database keeps a hash, never the cookie's value
      const value = cookie.split(';')[0].split('=')[1];
      expect(sessions.some((s) => Buffer.from(s.id_hash).toString('base64url') === value)).toBe(false);
    });

    it('the owner sees their projects with status, stop state, region and the token bar; not others', async () => {
      const page = await asProxy(dash.base, '/', 'owner@example.com');
      expect(page.text).toContain('<a href="/projects/alpha">alpha</a>');
      expect(page.text).toContain('<progress max="100000" value="25000"');
      expect(page.text).not.toContain('/projects/beta"');
      expect(page.text).toContain('4 project(s) you can see');
      expect(page.text).toContain('1 project(s) not shown: their dashboard IP whitelist');
    });

    it('per role: guest sees status and usage only, member also settings and timeline, owner also admins and sign-ins', async () => {
      const guest = await asProxy(dash.base, '/projects/alpha', 'guest@example.com');
      expect(guest.status).toBe(200);
      expect(guest.text).toContain('Tokens per day');
      expect(guest.text).not.toContain('Settings (as a manifest)');
      expect(guest.text).not.toContain('<h2>Timeline</h2>');
      const member = await asProxy(dash.base, '/projects/alpha', 'member@example.com');
      expect(member.text).toContain('Settings (as a manifest)');
      expect(member.text).toContain('<h2>Timeline</h2>');
      expect(member.text).not.toContain('/admins/owner%40example.com/logins');
      expect(member.text).not.toContain('Emergency stop</button>');
      expect(member.text).toContain('Webhook deliveries');
      expect(member.text).toContain('<h2>Blame: who set each setting</h2>');
      expect(member.text).toMatch(
        /<td><code>metadata\.name<\/code><\/td><td>&quot;Project alpha&quot;<\/td><td><strong class="dirty">not set by an apply/,
      );
      expect(guest.text).not.toContain('Blame:');
      expect(guest.text).not.toContain('ci@example.com');
      expect((await asProxy(dash.base, '/', 'guest@example.com')).text).not.toContain('ci@example.com');
      expect(member.text).not.toContain('Keys by fingerprint');
      expect(guest.text).not.toContain('Webhook deliveries');
      expect(guest.text).toContain('Liveform admissions per hour (last 48 hours)');
      const owner = await asProxy(dash.base, '/projects/alpha', 'owner@example.com');
      expect(owner.text).toContain('/admins/guest%40example.com/logins');
      expect(owner.text).toContain('Emergency stop</button>');
      expect(owner.text).toContain('Keys by fingerprint');
      expect(owner.text).toMatch(
        /<td>sign-in<\/td><td>member@example\.com<\/td><td>dashboard sign-in \(proxy\): success<\/td>/,
      );
      expect(member.text).not.toContain('<td>sign-in</td>');
      // a member cannot open another admin's sign-in records; the owner can
      expect((await asProxy(dash.base, '/admins/owner%40example.com/logins', 'member@example.com')).status).toBe(404);
      expect((await asProxy(dash.base, '/admins/member%40example.com/logins', 'owner@example.com')).status).toBe(200);
    });

    it('a region manager sees the region’s projects; an auditor sees every project, read-only', async () => {
      const manager = await asProxy(dash.base, '/', 'boss@eu.example.com');
      expect(manager.text).toContain('/projects/beta"');
      expect(manager.text).not.toContain('/projects/alpha"');
      const auditor = await asProxy(dash.base, '/', 'anna@audit.example.com');
      for (const id of ['alpha', 'beta', 'private', 'hostile']) expect(auditor.text).toContain(`/projects/${id}"`);
      const alpha = await asProxy(dash.base, '/projects/alpha', 'anna@audit.example.com');
      expect(alpha.text).toContain('auditor (read-only)');
      expect(alpha.text).not.toContain('Emergency stop</button>');
      expect((await asProxy(dash.base, '/projects/alpha', 'boss@eu.example.com')).status).toBe(404);
    });

    it('anyone else gets the no-project page and a refusal record, and no session', async () => {
      const page = await asProxy(dash.base, '/', 'stranger@example.org');
      expect(page.status).toBe(403);
      expect(page.text).toContain('No project');
      expect(page.headers.get('set-cookie')).toBeNull();
      const [record] = await logins('stranger@example.org');
      expect(record).toMatchObject({ outcome: 'refused', reason: 'no project', method: 'proxy' });
      // reloading (or a script in a loop) does not fill the table: one record a minute per refusal
      for (let i = 0; i < 3; i++) expect((await asProxy(dash.base, '/', 'stranger@example.org')).status).toBe(403);
      expect(await logins('stranger@example.org')).toHaveLength(1);
    });

    it('the header from an address that is not a trusted proxy signs nobody in, and is recorded as refused', async () => {
      const other = await startDashboard(fresh.database, { trustProxy: ['10.9.9.9/32'] });
      try {
        const page = await asProxy(other.base, '/', 'owner@example.com');
        expect(page.status).toBe(401);
        expect(page.headers.get('set-cookie')).toBeNull();
        expect(page.text).not.toContain('/projects/alpha');
        const [record] = await logins('owner@example.com');
        expect(record).toMatchObject({ outcome: 'refused', reason: 'sign-in header from an untrusted address' });
      } finally {
        await other.close();
      }
    });

    it('forged sign-in headers that change at every request do not write a row each (3 an address a minute)', async () => {
      const other = await startDashboard(fresh.database, { trustProxy: ['10.9.9.9/32'] });
      const count = async () =>
        Number(
          (
            await fresh.database.db
              .selectFrom('admin_logins')
              .select((e) => e.fn.countAll().as('n'))
              .where('reason', '=', 'sign-in header from an untrusted address')
              .executeTakeFirstOrThrow()
          ).n,
        );
      try {
        const before = await count();
        for (let i = 0; i < 30; i++) {
          // another address, its letter case, or trailing spaces: each a "new" email before
          const email =
            i % 3 === 0
              ? `spam${i}@attacker.example`
              : i % 3 === 1
                ? 'OWNER@example.COM'
                : `owner@example.com${' '.repeat(i)}`;
          expect((await asProxy(other.base, '/', email, { client: '203.0.113.7' })).status).toBe(401);
        }
        expect((await count()) - before).toBeLessThanOrEqual(3);
      } finally {
        await other.close();
      }
    });

    it('the session cookie alone keeps one signed in; sign-out needs the CSRF token and ends the session row', async () => {
      const first = await asProxy(dash.base, '/', 'member@example.com');
      const cookie = cookieOf(first);
      expect((await asProxy(dash.base, '/', undefined, { cookie })).status).toBe(200);
      const refused = await asProxy(dash.base, '/logout', undefined, { cookie, form: { csrf: 'wrong' } });
      expect(refused.status).toBe(403);
      expect((await asProxy(dash.base, '/', undefined, { cookie })).status).toBe(200);
      const out = await asProxy(dash.base, '/logout', undefined, { cookie, form: { csrf: csrfOf(first) } });
      expect(out.status).toBe(200);
      expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
      expect((await asProxy(dash.base, '/', undefined, { cookie })).status).toBe(401);
      const ended = await fresh.database.db
        .selectFrom('dashboard_sessions')
        .select('ended_at')
        .where('email', '=', 'member@example.com')
        .execute();
      expect(ended.some((s) => s.ended_at !== null)).toBe(true);
      // rows that ended more than 30 days ago are deleted (at start); live ones stay
      const { pruneSessions } = await import('../../src/dashboard/sessions.js');
      await fresh.database.db
        .updateTable('dashboard_sessions')
        .set({ ended_at: new Date(Date.now() - 31 * 86_400_000) })
        .where('ended_at', 'is not', null)
        .execute();
      const before = (await fresh.database.db.selectFrom('dashboard_sessions').select('email').execute()).length;
      expect(await pruneSessions(fresh.database.db)).toBeGreaterThan(0);
      const after = (await fresh.database.db.selectFrom('dashboard_sessions').select('email').execute()).length;
      expect(after).toBeLessThan(before);
      expect(after).toBeGreaterThan(0);
    });

    it('pages send a strict Content-Security-Policy and load scripts only from the dashboard itself', async () => {
      const page = await asProxy(dash.base, '/projects/alpha', 'owner@example.com');
      const csp = page.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(page.text).not.toMatch(/<script>|<script [^>]*>[^<]/);
      expect(page.text).toContain('<script src="/assets/uPlot.iife.min.js"></script>');
      const uplot = await fetch(`${dash.base}/assets/uPlot.iife.min.js`);
      expect(uplot.status).toBe(200);
      expect(await uplot.text()).toContain('uPlot');
    });

    it('the overview filters, sorts and pages (50 a page), keeping the query across pages', async () => {
      await sql`insert into projects (id, name, status) select 'zz-' || lpad(i::text, 2, '0'), 'Bulk ' || i, 'TEST'
                from generate_series(1, 60) i`.execute(fresh.database.db);
      const first = await asProxy(dash.base, '/', 'anna@audit.example.com');
      expect(first.text).toContain('65 project(s) you can see, page 1 of 2');
      expect(first.text).toContain('<a href="/?q=&amp;sort=id&amp;page=2">Next page</a>');
      const second = await asProxy(dash.base, '/?page=2', 'anna@audit.example.com');
      expect(second.text).toContain('/projects/zz-60"');
      expect(second.text).not.toContain('/projects/alpha"');
      const filtered = await asProxy(dash.base, '/?q=bulk%206&sort=tokens', 'anna@audit.example.com');
      expect(filtered.text).toContain('2 project(s) you can see'); // Bulk 6, Bulk 60
      const sorted = await asProxy(dash.base, '/?sort=tokens', 'anna@audit.example.com');
      expect(sorted.text.indexOf('/projects/alpha"')).toBeLessThan(sorted.text.indexOf('/projects/beta"'));
      const odd = await asProxy(dash.base, "/?sort=id;drop&page=-3&q=%25'", 'anna@audit.example.com');
      expect(odd.status).toBe(200);
      expect(odd.text).toContain('0 project(s) you can see, page 1 of 1');
    });
  });
}
