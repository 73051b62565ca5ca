// The project settings in effect on the dashboard, over real HTTP on both databases: the dashboard
// IP whitelist (X-Forwarded-For believed only from the trusted proxy), privacy protection masking
// before the HTML leaves the server, the CSRF-protected emergency stop, hostile names kept inert,
// and the formula-safe CSV.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import {
  asProxy,
  cookieOf,
  csrfOf,
  END_USER_IP,
  HOSTILE_NAME,
  SECRET_TOKEN,
  seedWorld,
  startDashboard,
  type RunningDashboard,
} from './fixtures.js';

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`dashboard settings in effect on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let dash: RunningDashboard;

    beforeAll(async () => {
      await seedWorld(fresh.database);
      dash = await startDashboard(fresh.database);
    });
    afterAll(() => dash?.close());

    it('ipWhitelist.dashboard: 403 (logged) from an address outside it, 200 from inside; the overview hides the project', async () => {
      const outside = await asProxy(dash.base, '/projects/walled', 'owner@example.com', { client: '192.168.1.10' });
      expect(outside.status).toBe(403);
      expect(outside.text).toContain('not in the dashboard IP whitelist of project &quot;walled&quot;');
      expect(outside.text).not.toContain('walled change');
      expect(dash.logs.some((l) => l.includes('403 owner@example.com from 192.168.1.10'))).toBe(true);
      const inside = await asProxy(dash.base, '/projects/walled', 'owner@example.com', { client: '10.1.2.3' });
      expect(inside.status).toBe(200);
      const overview = await asProxy(dash.base, '/', 'owner@example.com', { client: '192.168.1.10' });
      expect(overview.text).not.toContain('/projects/walled"');
      const audit = await asProxy(dash.base, '/audit.csv', 'owner@example.com', { client: '192.168.1.10' });
      expect(audit.text).not.toContain('walled change');
    });

    it('X-Forwarded-For from an untrusted peer is not believed: the whitelist sees the real address', async () => {
      const direct = await startDashboard(fresh.database, {
        trustProxy: [],
        authProxyHeader: undefined,
        localLogin: true,
      });
      try {
        const form = await fetch(`${direct.base}/login`).then((r) => r.text());
        const token = /name="csrf" value="([^"]+)"/.exec(form)![1];
        const signIn = await asProxy(direct.base, '/login', undefined, {
          form: { csrf: token, email: 'owner@example.com' },
        });
        expect(signIn.status).toBe(303);
        const page = await asProxy(direct.base, '/projects/walled', undefined, {
          cookie: cookieOf(signIn),
          client: '10.1.2.3',
        });
        expect(page.status).toBe(403);
        expect(page.text).toContain('Your address (127.0.0.1)');
      } finally {
        await direct.close();
      }
    });

    it('local login answers only to a loopback Host: a rebound name (DNS rebinding) gets neither the form token nor a session', async () => {
      const local = await startDashboard(fresh.database, {
        trustProxy: [],
        authProxyHeader: undefined,
        localLogin: true,
      });
      const { port } = new URL(local.base);
      const send = (host: string, path: string, form?: Record<string, string>) =>
        new Promise<{ status: number; text: string; cookie: string | undefined }>((resolve, reject) => {
          const body = form ? new URLSearchParams(form).toString() : undefined;
          const req = http.request(
            {
              host: '127.0.0.1',
              port: Number(port),
              path,
              method: form ? 'POST' : 'GET',
              agent: false,
              headers: { host, ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
            },
            (res) => {
              let text = '';
              res.on('data', (d) => (text += d));
              res.on('end', () =>
                resolve({ status: res.statusCode ?? 0, text, cookie: res.headers['set-cookie']?.join('; ') }),
              );
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      try {
        const own = await send(`127.0.0.1:${port}`, '/login');
        expect(own.status).toBe(200);
        const token = /name="csrf" value="([^"]+)"/.exec(own.text)![1];
        expect((await send(`localhost:${port}`, '/login')).status).toBe(200);
        for (const host of [
          `rebind.attacker.example:${port}`,
          'rebind.attacker.example',
          `127.0.0.1.attacker.example:${port}`,
        ]) {
          const form = await send(host, '/login');
          expect([host, form.status]).toEqual([host, 421]);
          expect(form.text).not.toContain(token);
          expect(form.text).not.toContain('owner@example.com');
          const signIn = await send(host, '/login', { csrf: token, email: 'owner@example.com' });
          expect([host, signIn.status, signIn.cookie]).toEqual([host, 421, undefined]);
        }
        const signIn = await send(`127.0.0.1:${port}`, '/login', { csrf: token, email: 'owner@example.com' });
        expect(signIn.status).toBe(303);
        const cookie = signIn.cookie!.split(';')[0];
        const rebound = await new Promise<number>((resolve, reject) => {
          const req = http.request(
            {
              host: '127.0.0.1',
              port: Number(port),
              path: '/projects/alpha',
              agent: false,
              headers: { host: `rebind.attacker.example:${port}`, cookie },
            },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', reject);
          req.end();
        });
        expect(rebound).toBe(421);
      } finally {
        await local.close();
      }
    });

    it('privacyProtection: token IDs and end-user addresses are masked in the HTML; the database keeps them', async () => {
      const page = await asProxy(dash.base, '/projects/private', 'owner@example.com');
      expect(page.status).toBe(200);
      expect(page.text).toContain('Recent Liveform sessions');
      expect(page.text).not.toContain(SECRET_TOKEN);
      expect(page.text).not.toContain(END_USER_IP);
      expect(page.text).toContain('SE••••••');
      expect(page.text).toContain('203.0.•.•');
      const row = await fresh.database.db.selectFrom('liveform_sessions').select('token_id').executeTakeFirstOrThrow();
      expect(row.token_id).toBe(SECRET_TOKEN);
    });

    it('emergency stop: refused without or with a wrong CSRF token, for a member, and without a reason; the owner’s is audited', async () => {
      const ownerPage = await asProxy(dash.base, '/projects/alpha', 'owner@example.com');
      const cookie = cookieOf(ownerPage);
      const csrf = csrfOf(ownerPage);
      const post = (form: Record<string, string>, c = cookie) =>
        asProxy(dash.base, '/projects/alpha/emergency', undefined, { cookie: c, form });
      expect((await post({ action: 'emergency-stop', reason: 'x' })).status).toBe(403);
      expect((await post({ action: 'emergency-stop', reason: 'x', csrf: `${csrf}x` })).status).toBe(403);
      expect((await post({ action: 'emergency-stop', reason: '  ', csrf })).status).toBe(400);
      const memberPage = await asProxy(dash.base, '/projects/alpha', 'member@example.com');
      const byMember = await post(
        { action: 'emergency-stop', reason: 'x', csrf: csrfOf(memberPage) },
        cookieOf(memberPage),
      );
      expect(byMember.status).toBe(403);
      const state = () =>
        fresh.database.db
          .selectFrom('projects')
          .select('submissions')
          .where('id', '=', 'alpha')
          .executeTakeFirstOrThrow();
      expect((await state()).submissions).toBe('normal');
      const done = await post({ action: 'emergency-stop', reason: 'fraud wave', csrf });
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe('/projects/alpha?changed=1');
      expect((await state()).submissions).toBe('emergency-stop');
      const audit = await fresh.database.db
        .selectFrom('audit_log')
        .selectAll()
        .where('project_id', '=', 'alpha')
        .where('action', '=', 'emergency-stop')
        .executeTakeFirstOrThrow();
      expect(audit).toMatchObject({ actor: 'owner@example.com', reason: 'fraud wave', plan_digest: 'break-glass' });
      const overview = await asProxy(dash.base, '/', undefined, { cookie });
      expect(overview.text).toContain('EMERGENCY STOP');
      const resumed = await post({ action: 'emergency-resume', reason: 'over', csrf });
      expect(resumed.status).toBe(303);
      expect((await state()).submissions).toBe('normal');
    });

    it('hostile names, descriptions and actors are escaped; links are only https:', async () => {
      const overview = await asProxy(dash.base, '/', 'owner@example.com');
      expect(overview.text).not.toContain(HOSTILE_NAME);
      expect(overview.text).not.toContain('<script>window');
      expect(overview.text).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
      const project = await asProxy(dash.base, '/projects/hostile', 'owner@example.com');
      expect(project.text).not.toMatch(/<script>|<img src=x|<b>mallory/);
      expect(project.text).toContain('&lt;b&gt;mallory&lt;/b&gt;');
      const audit = await asProxy(dash.base, '/audit?project=hostile', 'owner@example.com');
      expect(audit.text).not.toMatch(/<b>mallory/);
      // a webhook URL is a link only when https (and then escaped); commits and PRs link to the repository
      expect(project.text).toContain(
        '<a href="https://hooks.example.com/%22%3E%3Cscript%3Ealert(1)%3C/script%3E" rel="noopener noreferrer">',
      );
      const alpha = await asProxy(dash.base, '/projects/alpha', 'owner@example.com');
      expect(alpha.text).toContain('to http://127.0.0.1:9/hook.');
      expect(alpha.text).not.toContain('href="http://127.0.0.1:9/hook"');
      expect(alpha.text).toContain(
        '<a href="https://github.com/example/argos-config/pull/7" rel="noopener noreferrer">PR #7</a>',
      );
      expect(alpha.text).toContain('href="https://github.com/example/argos-config/commit/0123456789abcdef0123"');
      const { link } = await import('../../src/dashboard/html.js');
      expect(link('javascript:alert(1)', 'x').text).toBe('x');
      expect(link('http://example.com/', 'x').text).toBe('x');
      expect(link('//evil.example/', 'x').text).toBe('x');
      expect(link('https://github.com/o/r/pull/7', '<b>').text).toBe(
        '<a href="https://github.com/o/r/pull/7" rel="noopener noreferrer">&lt;b&gt;</a>',
      );
    });

    it('the audit CSV download is formula-safe and holds only the projects one sees', async () => {
      const csv = await asProxy(dash.base, '/audit.csv', 'owner@example.com');
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toContain('text/csv');
      expect(csv.headers.get('content-disposition')).toContain('attachment');
      expect(csv.text).toContain(`"'=HYPERLINK(""https://evil.example"",""x"")"`);
      expect(csv.text).not.toMatch(/(^|,)=HYPERLINK/m);
      expect(csv.text).not.toContain('eu change');
      const filtered = await asProxy(dash.base, '/audit.csv?project=alpha&kind=update', 'owner@example.com');
      expect(filtered.text.trim().split('\n')).toHaveLength(2);
    });
  });
}
