// OpenID Connect sign-in against a real provider (oidc-provider on 127.0.0.1): the authorization
// code flow with PKCE signs an admin in (session, login record), a callback without the browser's
// state is refused and recorded, and an account with no project gets the no-project page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverOidc } from '../../src/dashboard/oidc.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { browse, freePort, startOidcProvider, type TestProvider } from '../helpers/oidc-provider.js';
import { seedWorld, startDashboard, type RunningDashboard } from './fixtures.js';

describe('dashboard sign-in with OpenID Connect', () => {
  const fresh = useFreshDatabase(
    DATABASE_TARGETS.find((t) => t.available && t.name === 'postgres') ?? DATABASE_TARGETS[0],
  );
  let provider: TestProvider;
  let dash: RunningDashboard;
  /** The same provider, with dashboard.oidc.requireVerifiedEmail: false. */
  let lenient: RunningDashboard;
  let oidc: Awaited<ReturnType<typeof discoverOidc>>;
  const records = (email: string) =>
    fresh.database.db.selectFrom('admin_logins').selectAll().where('email', '=', email).orderBy('id', 'desc').execute();

  beforeAll(async () => {
    await seedWorld(fresh.database);
    const port = await freePort();
    const lenientPort = await freePort();
    const redirectUrl = `http://127.0.0.1:${port}/auth/callback`;
    const lenientUrl = `http://127.0.0.1:${lenientPort}/auth/callback`;
    provider = await startOidcProvider([redirectUrl, lenientUrl]);
    const settings = { issuer: provider.issuer, clientId: provider.clientId, clientSecret: 'env:X' };
    oidc = await discoverOidc({ ...settings, redirectUrl }, provider.clientSecret);
    dash = await startDashboard(fresh.database, { oidc, authProxyHeader: undefined, trustProxy: [] }, port);
    const lenientOidc = await discoverOidc(
      { ...settings, redirectUrl: lenientUrl, requireVerifiedEmail: false },
      provider.clientSecret,
    );
    lenient = await startDashboard(
      fresh.database,
      { oidc: lenientOidc, authProxyHeader: undefined, trustProxy: [] },
      lenientPort,
    );
  });
  afterAll(async () => {
    await dash?.close();
    await lenient?.close();
    await provider?.close();
  });

  it('signs an admin in through the provider: the overview, a session cookie, an oidc success record', async () => {
    provider.signInAs = 'owner@example.com';
    const jars = new Map<string, Map<string, string>>();
    const page = await browse(`${dash.base}/`, jars);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${dash.base}/`);
    expect(page.text).toContain('Signed in as owner@example.com');
    expect(page.hops.some((h) => h.startsWith(`303 ${provider.issuer}/auth?`))).toBe(true);
    expect(page.hops.some((h) => h.includes('/auth/callback?code='))).toBe(true);
    expect(jars.get(dash.base)?.has('argosctl_dashboard')).toBe(true);
    expect((await records('owner@example.com'))[0]).toMatchObject({ method: 'oidc', outcome: 'success' });
  });

  it('refuses a callback with a state this browser did not start (or none), and records the refusal', async () => {
    const started = await fetch(`${dash.base}/auth/login`, { redirect: 'manual' });
    const pending = started.headers.getSetCookie()[0];
    expect(pending).toMatch(/^argosctl_oidc=[A-Za-z0-9_-]+; Path=\/auth; HttpOnly; SameSite=Lax; Max-Age=600/);
    const jars = new Map([[dash.base, new Map([['argosctl_oidc', pending.split(';')[0].split('=')[1]]])]]);
    const forged = await browse(`${dash.base}/auth/callback?code=forged&state=forged`, jars);
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('The sign-in did not complete');
    expect(jars.get(dash.base)?.has('argosctl_dashboard')).toBe(false);
    const none = await browse(`${dash.base}/auth/callback?code=forged&state=forged`, new Map());
    expect(none.status).toBe(403);
    const refused = await records('(unknown)');
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatchObject({ method: 'oidc', outcome: 'refused' });
  });

  it('over HTTPS the sign-in in progress is a __Host- cookie (Path=/, Secure), which a sibling subdomain cannot plant', async () => {
    const secure = await startDashboard(fresh.database, {
      oidc,
      authProxyHeader: undefined,
      trustProxy: [],
      secureCookies: true,
    });
    try {
      const started = await fetch(`${secure.base}/auth/login`, { redirect: 'manual' });
      expect(started.status).toBe(303);
      expect(started.headers.getSetCookie()[0]).toMatch(
        /^__Host-argosctl_oidc=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600; Secure$/,
      );
    } finally {
      await secure.close();
    }
  });

  it('an account that is no project’s admin gets the no-project page and a refused record', async () => {
    provider.signInAs = 'nobody@example.org';
    const page = await browse(`${dash.base}/`, new Map());
    expect(page.status).toBe(403);
    expect(page.text).toContain('No project');
    expect((await records('nobody@example.org'))[0]).toMatchObject({
      method: 'oidc',
      outcome: 'refused',
      reason: 'no project',
    });
  });

  it('refuses an email the provider did not say it verified (false, or no claim at all) unless told to accept it', async () => {
    provider.signInAs = 'owner@example.com';
    try {
      for (const [claim, why] of [
        [false, 'has not verified owner@example.com'],
        ['absent', 'did not say it verified owner@example.com'],
      ] as const) {
        provider.emailVerified = claim;
        const page = await browse(`${dash.base}/`, new Map());
        expect({ claim, status: page.status }).toEqual({ claim, status: 403 });
        expect(page.text).toContain(why);
        expect(page.text).not.toContain('Signed in as');
      }
      // requireVerifiedEmail: false, for a provider that never sends the claim: signed in without it…
      provider.emailVerified = 'absent';
      const accepted = await browse(`${lenient.base}/`, new Map());
      expect(accepted.text).toContain('Signed in as owner@example.com');
      // …but an explicit false is still refused, also as a string (some providers send "false").
      for (const claim of [false, 'false'] as const) {
        provider.emailVerified = claim;
        expect({ claim, status: (await browse(`${lenient.base}/`, new Map())).status }).toEqual({ claim, status: 403 });
      }
      // Refusals whose message quotes the email count as one kind for the refusal throttle: five
      // accounts refused in a row write at most 3 rows a minute from this client, not one each.
      const oidcRefusals = async () =>
        Number(
          (
            await fresh.database.db
              .selectFrom('admin_logins')
              .select((e) => e.fn.countAll<string>().as('n'))
              .where('method', '=', 'oidc')
              .where('outcome', '=', 'refused')
              .executeTakeFirstOrThrow()
          ).n,
        );
      const before = await oidcRefusals();
      provider.emailVerified = false;
      for (let i = 0; i < 5; i++) {
        provider.signInAs = `spam${i}@example.org`;
        expect((await browse(`${dash.base}/`, new Map())).status).toBe(403);
      }
      provider.signInAs = 'owner@example.com';
      expect((await oidcRefusals()) - before).toBeLessThanOrEqual(3);
      // The string "true" is a verified email, with the setting on.
      provider.emailVerified = 'true';
      expect((await browse(`${dash.base}/`, new Map())).text).toContain('Signed in as owner@example.com');
    } finally {
      provider.emailVerified = true;
    }
  });
});
