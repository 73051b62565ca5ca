// The dashboard in a real browser (Debian's chromium through playwright-core, one launch): signed
// in by the trusted proxy's header, and through a local OpenID provider (oidc-provider) with the
// browser following every redirect and cookie itself, it shows the overview, draws the tokens chart (a non-blank
// canvas), follows a link by keyboard alone, runs no script from hostile names, breaks no CSP rule,
// shows a guest only the guest's project, keeps masked values out of what the browser receives,
// answers 403 outside a project's dashboard whitelist, records every sign-in, and axe-core finds no serious or critical accessibility violation on either page.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverOidc } from '../../src/dashboard/oidc.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { freePort, startOidcProvider, type TestProvider } from '../helpers/oidc-provider.js';
import { END_USER_IP, SECRET_TOKEN, seedWorld, startDashboard, type RunningDashboard } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
/** A folder to save the README's screenshots in (`ARGOS_DASHBOARD_SCREENSHOTS=docs/images`); unset: none are made. */
const SHOTS = process.env.ARGOS_DASHBOARD_SCREENSHOTS;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
if (!existsSync(CHROMIUM) && process.env.CI) throw new Error(`${CHROMIUM} is missing; .ci/run installs it`);

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page (it must have checked some rules). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE); // through the DevTools protocol: not an inline script, so the CSP stays as it is
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[]; passes: unknown[] }> } })
      .axe;
    const r = await axe.run();
    return { violations: r.violations, passes: r.passes.length };
  });
  expect(result.passes).toBeGreaterThan(5);
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

if (!existsSync(CHROMIUM))
  console.warn(
    `\n*** NOTICE: ${CHROMIUM} is missing: the dashboard browser test is SKIPPED (apt-get install chromium). ***\n`,
  );

describe.skipIf(!existsSync(CHROMIUM))('dashboard in chromium', () => {
  const fresh = useFreshDatabase(DATABASE_TARGETS[0]);
  let dash: RunningDashboard;
  let browser: Browser;
  let page: Page;
  const cspErrors: string[] = [];

  beforeAll(async () => {
    await seedWorld(fresh.database);
    dash = await startDashboard(fresh.database);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    // The authenticating proxy (on 127.0.0.1, trusted) adds the signed-in email to every request.
    const context = await browser.newContext({
      extraHTTPHeaders: { 'x-forwarded-email': 'owner@example.com' },
      viewport: { width: 1200, height: 900 },
    });
    // a safety net on a loaded machine, not a speed limit
    context.setDefaultTimeout(120_000);
    page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await dash?.close();
  });

  it('signs in through OpenID Connect: the provider, the callback, a session cookie, the overview, an oidc record', async () => {
    const port = await freePort();
    const redirectUrl = `http://127.0.0.1:${port}/auth/callback`;
    let provider: TestProvider | undefined;
    let oidcDash: RunningDashboard | undefined;
    try {
      provider = await startOidcProvider(redirectUrl);
      provider.signInAs = 'owner@example.com';
      const oidc = await discoverOidc(
        { issuer: provider.issuer, clientId: provider.clientId, clientSecret: 'env:X', redirectUrl },
        provider.clientSecret,
      );
      oidcDash = await startDashboard(fresh.database, { oidc, authProxyHeader: undefined, trustProxy: [] }, port);
      // a browser of its own: no proxy header, nothing but what the provider and the dashboard set
      const context = await browser.newContext();
      context.setDefaultTimeout(120_000);
      const visited: string[] = [];
      const oidcPage = await context.newPage();
      oidcPage.on('request', (r) => {
        if (r.isNavigationRequest()) visited.push(r.url());
      });
      await oidcPage.goto(`${oidcDash.base}/`);
      await expect.poll(() => oidcPage.locator('h1').textContent()).toBe('Projects');
      expect(oidcPage.url()).toBe(`${oidcDash.base}/`);
      expect(await oidcPage.locator('text=Signed in as owner@example.com').count()).toBe(1);
      expect(visited.some((u) => u.startsWith(`${provider!.issuer}/auth?`))).toBe(true);
      expect(visited.some((u) => u.startsWith(`${redirectUrl}?code=`))).toBe(true);
      const cookies = await context.cookies(oidcDash.base);
      expect(cookies.find((c) => c.name === 'argosctl_dashboard')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
      const [record] = await fresh.database.db
        .selectFrom('admin_logins')
        .selectAll()
        .where('email', '=', 'owner@example.com')
        .where('method', '=', 'oidc')
        .execute();
      expect(record).toMatchObject({ outcome: 'success' });
      await context.close();
    } finally {
      await oidcDash?.close();
      await provider?.close();
    }
  });

  it('signs in through the proxy header, shows the overview, runs no hostile script, passes axe', async () => {
    await page.goto(`${dash.base}/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Projects');
    expect(await page.locator('a[href="/projects/alpha"]').count()).toBe(1);
    expect(await page.locator('text=Signed in as owner@example.com').count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await seriousViolations(page)).toEqual([]);
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'dashboard-overview.png'), fullPage: true });
  });

  it('per person in the browser: a guest sees only its project, masked values never arrive, 403 outside the whitelist, a login record', async () => {
    const as = async (email: string, client?: string) => {
      const headers: Record<string, string> = { 'x-forwarded-email': email };
      if (client) headers['x-forwarded-for'] = client;
      const context = await browser.newContext({ extraHTTPHeaders: headers });
      context.setDefaultTimeout(120_000);
      return { context, page: await context.newPage() };
    };
    const guest = await as('guest@example.com');
    await guest.page.goto(`${dash.base}/`);
    const links = await guest.page
      .locator('tbody a[href^="/projects/"]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(['/projects/alpha']);
    await guest.context.close();

    const owner = await as('owner@example.com', '192.168.1.10');
    await owner.page.goto(`${dash.base}/projects/private`);
    const received = await owner.page.content();
    expect(received).toContain('Project private');
    expect(received).not.toContain(SECRET_TOKEN);
    expect(received).not.toContain(END_USER_IP);
    const walled = await owner.page.goto(`${dash.base}/projects/walled`);
    expect(walled?.status()).toBe(403);
    expect(await owner.page.locator('body').textContent()).toContain('not in the dashboard IP whitelist');
    await owner.context.close();

    const records = await fresh.database.db
      .selectFrom('admin_logins')
      .select(['email', 'method', 'outcome'])
      .where('email', '=', 'guest@example.com')
      .execute();
    expect(records).toContainEqual({ email: 'guest@example.com', method: 'proxy', outcome: 'success' });
  });

  it('reaches a project page by keyboard alone and draws the tokens chart on a non-blank canvas', async () => {
    let focused = '';
    for (let i = 0; i < 40 && !focused.endsWith('/projects/alpha'); i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => (document.activeElement as HTMLAnchorElement | null)?.href ?? '');
    }
    expect(focused).toBe(`${dash.base}/projects/alpha`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${dash.base}/projects/alpha`);
    const canvas = page.locator('#chart-tokens canvas');
    await canvas.waitFor();
    const painted = await canvas.evaluate((c: HTMLCanvasElement) => {
      const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
      return n;
    });
    expect(painted).toBeGreaterThan(100);
    expect(await page.locator('table[data-chart="chart-tokens"] tbody tr').count()).toBe(30);
    expect(await seriousViolations(page)).toEqual([]);
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'dashboard-project.png'), fullPage: false });
    await page.goto(`${dash.base}/projects/hostile`);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(cspErrors).toEqual([]);
  });
});
