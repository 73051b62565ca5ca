// The dashboard over HTTP: Fastify routes that sign people in, decide what they see (access.ts),
// read it (queries.ts), mask it (mask.ts) and render it (pages.ts). The one write, emergency stop
// and resume, calls the same core as `argosctl emergency-stop`.
import { admissionOutcomesPerHour, callersPerAddress } from './traffic-queries.js';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import helmet from '@fastify/helmet';
import { sql } from 'kysely';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { breakGlass, type BreakGlassAction } from '../apply/break-glass.js';
import type { Database } from '../db/connection.js';
import { UserError } from '../errors.js';
import type { Organization } from '../manifest/organization.js';
import { clientKeyOf } from '../server/client-address.js';
import { ipAllowed } from '../server/project-access.js';
import { personOf, sightOf, type Person } from './access.js';
import { loadAssets } from './assets.js';
import { csvOfAudit } from './audit-csv.js';
import { maskIp, maskTokenId } from './mask.js';
import { RefusalThrottle } from './refusal-throttle.js';
import type { OidcSignIn } from './oidc.js';
import {
  auditPage,
  layout,
  localLoginPage,
  loginsPage,
  messagePage,
  overviewPage,
  projectPage,
  type Chrome,
} from './pages.js';
import { html } from './html.js';
import { blameProject } from '../drift/blame.js';
import { listProjectKeys } from '../keys/list-keys.js';
import { webhookStatus } from '../webhooks/webhook-status.js';
import {
  admissionsPerHour,
  auditTrail,
  loginsOf,
  oneProject,
  projectAdmins,
  projectsOfAdmin,
  recentSessions,
  seesAnyProject,
  settingsManifest,
  SORTS,
  timeline,
  tokensPerDay,
  visibleProjects,
  type AuditFilter,
  type ProjectRow,
  type Sort,
} from './queries.js';
import { endSession, findSession, recordLogin, startSession, type Session, type SignInMethod } from './sessions.js';

export interface DashboardOptions {
  organization: Organization;
  /** CIDR ranges of proxies: their X-Forwarded-For and sign-in header are believed, nobody else's. */
  trustProxy: string[];
  /** The header a trusted authenticating proxy names the signed-in email in (e.g. x-forwarded-email). */
  authProxyHeader?: string;
  /** Loopback-only sign-in as any admin, for trying the dashboard. */
  localLogin: boolean;
  /** OpenID Connect sign-in (dashboard.oidc in argosctl.yaml), discovered at start. */
  oidc?: OidcSignIn;
  /** Secure cookies (everything but loopback). */
  secureCookies: boolean;
  now?: () => Date;
  log?: (line: string) => void;
}

const EMAIL = /^[^@\s]{1,200}@[^@\s]{1,200}\.[^@\s]{1,60}$/;
const LOOPBACK = ['127.0.0.0/8'];
const ACTIONS: BreakGlassAction[] = ['emergency-stop', 'emergency-resume'];

type Form = Record<string, string>;

function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/**
 * A name of this machine: localhost, 127.x.y.z or ::1, as `--host` gives it or as a Host header
 * does (with a port, an IPv6 literal in brackets).
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const lower = host.toLowerCase();
  const name = lower.startsWith('[')
    ? lower.slice(1, lower.indexOf(']'))
    : lower.split(':').length === 2
      ? lower.split(':')[0]
      : lower;
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

export async function buildDashboard(database: Database, options: DashboardOptions) {
  const { db } = database;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cookieName = options.secureCookies ? '__Host-argosctl_dashboard' : 'argosctl_dashboard';
  const header = options.authProxyHeader?.toLowerCase();
  const loginFormToken = createHmac('sha256', randomBytes(32)).update('local-login').digest('base64url');
  const assets = loadAssets();

  const app = Fastify({
    logger: false,
    trustProxy: options.trustProxy.length ? options.trustProxy : false,
    bodyLimit: 64 * 1024,
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    hsts: options.secureCookies,
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  const peerTrusted = (request: FastifyRequest) =>
    options.trustProxy.length > 0 && ipAllowed(options.trustProxy, request.socket.remoteAddress ?? '');
  const origin = (request: FastifyRequest) => ({
    ip: request.ip,
    userAgent: request.headers['user-agent'],
  });
  const throttle = new RefusalThrottle();
  /**
   * A refused sign-in, written down within the limits of refusal-throttle.ts: per client (an IPv6
   * address by its /64) and kind of refusal, the same one once and at most 3 a minute, and overall.
   * By default the kind is the reason and the one refused is the email; a reason that differs per
   * request (a message quoting what the provider sent) names its own kind and counts as the one.
   */
  const refuse = async (
    request: FastifyRequest,
    email: string,
    method: SignInMethod,
    reason: string,
    counted: { kind: string; one: string } = { kind: reason, one: email },
  ) => {
    if (throttle.admit(clientKeyOf(request.ip), counted.one, counted.kind))
      await recordLogin(db, email, origin(request), method, 'refused', reason);
  };
  const chrome = (session?: Session): Chrome => ({
    email: session?.email,
    csrf: session?.csrf,
    localLogin: options.localLogin,
    repository: options.organization.dashboard?.repositoryUrl,
  });
  const page = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);

  if (options.localLogin) {
    // Local login signs anyone on this machine in as any admin, so only pages this machine asked for
    // by a loopback name are served: a web page whose own name was made to point at 127.0.0.1 (DNS
    // rebinding) reaches the socket from loopback, but its requests carry its own name as Host.
    app.addHook('onRequest', (request, reply, done) => {
      if (isLoopbackHost(request.headers.host)) return done();
      page(
        reply,
        421,
        messagePage(
          'Refused',
          chrome(),
          'With local login the dashboard answers only to a loopback address (http://127.0.0.1:PORT or http://localhost:PORT).',
        ),
      );
    });
  }

  const setCookie = (reply: FastifyReply, token: string, maxAge: number) =>
    reply.header(
      'set-cookie',
      `${cookieName}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${options.secureCookies ? '; Secure' : ''}`,
    );

  /** Signs `email` in (a session row, a cookie, a login record) unless it sees no project. */
  async function signIn(
    request: FastifyRequest,
    reply: FastifyReply,
    email: string,
    method: SignInMethod,
  ): Promise<Session | undefined> {
    const who = email.trim().toLowerCase();
    if (!EMAIL.test(who)) {
      await refuse(request, who || '(empty)', method, 'not an email address');
      page(reply, 403, messagePage('Not signed in', chrome(), 'The sign-in did not name an email address.'));
      return undefined;
    }
    const person = personOf(options.organization, who);
    if (!(await seesAnyProject(db, person))) {
      await refuse(request, who, method, 'no project');
      log(`dashboard: sign-in refused for ${who} from ${request.ip}: no project`);
      page(
        reply,
        403,
        messagePage(
          'No project',
          chrome(),
          `${who} is not an admin of any project, a manager of its region, or an auditor; there is nothing to show.`,
        ),
      );
      return undefined;
    }
    const { token, session } = await startSession(db, who, method, origin(request));
    await recordLogin(db, who, origin(request), method, 'success');
    setCookie(reply, token, 12 * 3600);
    return session;
  }

  /** The signed-in session for this request; when there is none, the reply is already sent. */
  async function sessionOf(request: FastifyRequest, reply: FastifyReply): Promise<Session | undefined> {
    const token = cookieValue(request, cookieName);
    const session = await findSession(db, token);
    const claimed = header ? request.headers[header] : undefined;
    const email = typeof claimed === 'string' ? claimed : undefined;
    if (header && email !== undefined) {
      if (!peerTrusted(request)) {
        await refuse(request, email, 'proxy', 'sign-in header from an untrusted address');
        log(`dashboard: ${header} from untrusted ${request.socket.remoteAddress} ignored`);
      } else if (session && session.email === email.trim().toLowerCase()) {
        return session;
      } else {
        if (session && token) await endSession(db, token);
        return signIn(request, reply, email, 'proxy');
      }
    }
    if (session) return session;
    if (options.oidc) {
      reply.redirect('/auth/login', 303);
      return undefined;
    }
    if (options.localLogin) {
      reply.redirect('/login', 303);
      return undefined;
    }
    page(
      reply,
      401,
      messagePage('Not signed in', chrome(), 'Sign in through your organisation’s sign-in proxy to use the dashboard.'),
    );
    return undefined;
  }

  function csrfOk(session: Session, form: Form | undefined): boolean {
    return sameToken(form?.csrf, session.csrf);
  }

  /** The project if this person sees it and from this address; otherwise the reply is sent. */
  async function projectFor(
    request: FastifyRequest,
    reply: FastifyReply,
    session: Session,
    person: Person,
    id: string,
  ): Promise<ProjectRow | undefined> {
    const project = await oneProject(db, person, id);
    if (!project) {
      page(reply, 404, messagePage('Not found', chrome(session), `You have no project "${id}".`));
      return undefined;
    }
    if (!ipAllowed(project.dashboardRanges, request.ip)) {
      log(`dashboard: 403 ${session.email} from ${request.ip}: not in the dashboard IP whitelist of ${id}`);
      page(
        reply,
        403,
        messagePage(
          'Address not allowed',
          chrome(session),
          `Your address (${request.ip}) is not in the dashboard IP whitelist of project "${id}".`,
        ),
      );
      return undefined;
    }
    return project;
  }

  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const asset = assets.get(request.params.file);
    if (!asset) return reply.code(404).type('text/plain').send('not found');
    return reply.header('cache-control', 'public, max-age=3600').type(asset.type).send(asset.body);
  });

  // The sign-in in progress (state, nonce, PKCE verifier). Served over HTTPS it is a `__Host-` cookie,
  // as the session's is: a sibling subdomain cannot plant one of its own (which would sign the
  // browser in to the planter's account: login CSRF). That prefix requires Path=/.
  const PENDING = options.secureCookies ? '__Host-argosctl_oidc' : 'argosctl_oidc';
  const pendingCookie = (reply: FastifyReply, value: string, maxAge: number) =>
    reply.header(
      'set-cookie',
      `${PENDING}=${value}; Path=${options.secureCookies ? '/' : '/auth'}; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${options.secureCookies ? '; Secure' : ''}`,
    );

  app.get('/auth/login', async (_request, reply) => {
    if (!options.oidc) return page(reply, 404, messagePage('Not found', chrome(), 'OpenID Connect is not configured.'));
    const { url, pending } = await options.oidc.start();
    pendingCookie(reply, pending, 600);
    return reply.header('cache-control', 'no-store').redirect(url, 303);
  });

  app.get('/auth/callback', async (request, reply) => {
    if (!options.oidc) return page(reply, 404, messagePage('Not found', chrome(), 'OpenID Connect is not configured.'));
    const query = request.raw.url?.includes('?') ? request.raw.url.slice(request.raw.url.indexOf('?') + 1) : '';
    pendingCookie(reply, '', 0);
    let email: string;
    try {
      email = await options.oidc.finish(query, cookieValue(request, PENDING));
    } catch (error) {
      const why = (error as Error).message.slice(0, 200);
      await refuse(request, '(unknown)', 'oidc', why, { kind: 'oidc', one: why });
      log(`dashboard: OpenID sign-in refused from ${request.ip}: ${why}`);
      return page(
        reply,
        403,
        messagePage(
          'Not signed in',
          chrome(),
          `The sign-in did not complete: ${why}`,
          html`<p><a href="/auth/login">Try again</a></p>`,
        ),
      );
    }
    const session = await signIn(request, reply, email, 'oidc');
    if (session) return reply.redirect('/', 303);
    return reply;
  });

  app.get('/login', async (_request, reply) => {
    if (!options.localLogin) return page(reply, 404, messagePage('Not found', chrome(), 'Local login is off.'));
    const rows = await db.selectFrom('admins').select('email').distinct().orderBy('email').limit(500).execute();
    return page(
      reply,
      200,
      localLoginPage(
        chrome(),
        rows.map((r) => r.email),
        loginFormToken,
      ),
    );
  });

  app.post<{ Body: Form }>('/login', async (request, reply) => {
    if (!options.localLogin) return page(reply, 404, messagePage('Not found', chrome(), 'Local login is off.'));
    const email = request.body?.email ?? '';
    if (!ipAllowed(LOOPBACK, request.socket.remoteAddress ?? '')) {
      await refuse(request, email || '(empty)', 'local', 'local login from another machine');
      return page(reply, 403, messagePage('Refused', chrome(), 'Local login is for this machine only.'));
    }
    if (!sameToken(request.body?.csrf, loginFormToken)) {
      await refuse(request, email || '(empty)', 'local', 'form token missing or wrong');
      return page(reply, 403, messagePage('Refused', chrome(), 'The sign-in form was stale; open it again.'));
    }
    const session = await signIn(request, reply, email, 'local');
    if (session) return reply.redirect('/', 303);
    return reply;
  });

  app.post<{ Body: Form }>('/logout', async (request, reply) => {
    const token = cookieValue(request, cookieName);
    const session = await findSession(db, token);
    if (session && token) {
      if (!csrfOk(session, request.body))
        return page(reply, 403, messagePage('Refused', chrome(session), 'The form was stale; open the page again.'));
      await endSession(db, token);
    }
    setCookie(reply, '', 0);
    return page(reply, 200, messagePage('Signed out', chrome(), 'You are signed out.'));
  });

  app.get<{ Querystring: { q?: string; sort?: string; page?: string } }>('/', async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return reply;
    const person = personOf(options.organization, session.email);
    const filter = (request.query.q ?? '').slice(0, 100);
    const sort = (SORTS as readonly string[]).includes(request.query.sort ?? '') ? (request.query.sort as Sort) : 'id';
    const pageNo = Math.min(100_000, Math.max(1, Number.parseInt(request.query.page ?? '1', 10) || 1));
    const { rows, total } = await visibleProjects(db, person, { filter, sort, page: pageNo });
    const shown = rows.filter((p) => ipAllowed(p.dashboardRanges, request.ip));
    return page(
      reply,
      200,
      overviewPage(chrome(session), {
        rows: shown,
        total,
        hidden: rows.length - shown.length,
        filter,
        sort,
        page: pageNo,
      }),
    );
  });

  app.get<{ Params: { id: string }; Querystring: { changed?: string } }>('/projects/:id', async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return reply;
    const person = personOf(options.organization, session.email);
    const project = await projectFor(request, reply, session, person, request.params.id);
    if (!project) return reply;
    const sight = sightOf(project.viewer);
    const masked = project.privacyProtection;
    const [manifest, items, admins, days, hours, sessions, keys, webhook, blame, outcomes, callers] = await Promise.all(
      [
        sight.settings ? settingsManifest(db, project.id) : undefined,
        sight.settings ? timeline(db, project.id, sight.personal) : undefined,
        sight.settings ? projectAdmins(db, project.id) : undefined,
        tokensPerDay(db, project.id, now()),
        admissionsPerHour(db, project.id, now()),
        sight.settings ? recentSessions(db, project.id) : undefined,
        sight.personal ? listProjectKeys(db, project.id) : undefined,
        sight.settings ? webhookStatus(db, project.id).then((w) => w[0]) : undefined,
        sight.settings ? blameProject(db, project.id) : undefined,
        admissionOutcomesPerHour(db, project.id, now()),
        sight.settings ? callersPerAddress(db, project.id, now()) : undefined,
      ],
    );
    return page(
      reply,
      200,
      projectPage(chrome(session), {
        project,
        sight,
        manifest,
        timeline: items,
        admins: sight.personal ? admins : admins?.map((a) => ({ ...a, lastSignIn: null })),
        days,
        hours,
        outcomes,
        callers,
        keys,
        webhook,
        blame,
        sessions: sessions?.map((s) => ({
          ...s,
          tokenId: maskTokenId(s.tokenId, masked),
          clientIp: maskIp(s.clientIp, masked),
        })),
        notice: request.query.changed ? `Submissions are now: ${project.submissions}.` : undefined,
      }),
    );
  });

  app.post<{ Params: { id: string }; Body: Form }>('/projects/:id/emergency', async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return reply;
    if (!csrfOk(session, request.body))
      return page(reply, 403, messagePage('Refused', chrome(session), 'The form was stale; open the page again.'));
    const person = personOf(options.organization, session.email);
    const project = await projectFor(request, reply, session, person, request.params.id);
    if (!project) return reply;
    if (!sightOf(project.viewer).act)
      return page(
        reply,
        403,
        messagePage('Refused', chrome(session), 'Only an owner of the project may stop or resume it.'),
      );
    const action = request.body.action as BreakGlassAction;
    const reason = (request.body.reason ?? '').trim();
    if (!ACTIONS.includes(action) || !reason)
      return page(reply, 400, messagePage('Refused', chrome(session), 'A reason is required.'));
    await breakGlass(db, project.id, action, reason.slice(0, 500), {
      actor: session.email,
      git: {},
      lock: { timeoutMs: 10_000, holder: `argosctl dashboard (${session.email})` },
    });
    log(`dashboard: ${action} of ${project.id} by ${session.email}`);
    return reply.redirect(`/projects/${encodeURIComponent(project.id)}?changed=1`, 303);
  });

  const auditFilter = (q: Record<string, string | undefined>): AuditFilter => ({
    project: q.project?.slice(0, 100) || undefined,
    actor: q.actor?.slice(0, 320) || undefined,
    kind: q.kind?.slice(0, 50) || undefined,
    since: q.since?.slice(0, 10) || undefined,
    until: q.until?.slice(0, 10) || undefined,
  });

  /** The audit rows of projects this person sees from this address. */
  async function visibleAudit(request: FastifyRequest, person: Person, filter: AuditFilter, limit: number) {
    const rows = await auditTrail(db, person, filter, limit);
    const ids = [...new Set(rows.map((r) => r.project))];
    const walled = new Set<string>();
    if (ids.length) {
      const ranges = await db
        .selectFrom('ip_whitelist')
        .select(['project_id', sql<string>`cast(range as text)`.as('range')])
        .where('scope', '=', 'dashboard')
        .where('project_id', 'in', ids)
        .execute();
      const byProject = new Map<string, string[]>();
      for (const r of ranges) byProject.set(r.project_id, [...(byProject.get(r.project_id) ?? []), r.range]);
      for (const [id, list] of byProject) if (!ipAllowed(list, request.ip)) walled.add(id);
    }
    return rows.filter((r) => !walled.has(r.project));
  }

  app.get<{ Querystring: Record<string, string | undefined> }>('/audit', async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return reply;
    const person = personOf(options.organization, session.email);
    const filter = auditFilter(request.query);
    return page(reply, 200, auditPage(chrome(session), filter, await visibleAudit(request, person, filter, 500)));
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/audit.csv', async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return reply;
    const person = personOf(options.organization, session.email);
    const rows = await visibleAudit(request, person, auditFilter(request.query), 100_000);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', 'attachment; filename="argosctl-audit.csv"')
      .type('text/csv; charset=utf-8')
      .send(csvOfAudit(rows));
  });

  app.get<{ Params: { email: string } }>('/admins/:email/logins', async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return reply;
    const email = request.params.email.toLowerCase();
    const person = personOf(options.organization, session.email);
    let allowed = email === session.email || person.auditor;
    if (!allowed) {
      for (const p of (await projectsOfAdmin(db, email)).slice(0, 100)) {
        const seen = await oneProject(db, person, p.id);
        if (seen && sightOf(seen.viewer).personal && ipAllowed(seen.dashboardRanges, request.ip)) {
          allowed = true;
          break;
        }
      }
    }
    if (!allowed)
      return page(
        reply,
        404,
        messagePage('Not found', chrome(session), `You cannot see the sign-in records of ${email}.`),
      );
    return page(reply, 200, loginsPage(chrome(session), email, await loginsOf(db, email)));
  });

  app.setNotFoundHandler((_request, reply) =>
    page(reply, 404, layout('Not found', chrome(), html`<p>There is no such page.</p>`)),
  );
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof UserError) return page(reply, 400, messagePage('Refused', chrome(), error.message));
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500)
      return page(reply, status, messagePage('Bad request', chrome(), 'The request was not understood.'));
    log(`dashboard: error: ${(error as Error).message}`);
    return page(reply, 500, messagePage('Error', chrome(), 'Something went wrong; it is logged.'));
  });
  return app;
}
