// The dashboard's pages as HTML strings. Renderers only render: the routes hand them what the
// queries read (already masked where privacyProtection says so) and what the person may see.
import type { AdmissionOutcomes, CallerRow } from './traffic-queries.js';
import { html, link, raw, type SafeHtml } from './html.js';
import { sightOf, type Sight } from './access.js';
import type {
  AdminRow,
  AuditFilter,
  AuditRow,
  DayCount,
  HourCount,
  LiveformSessionRow,
  LoginRow,
  ProjectRow,
  Sort,
  TimelineItem,
} from './queries.js';
import { PAGE_SIZE, SORTS, TOKEN_CAP } from './queries.js';
import type { SettingBlame } from '../drift/blame.js';
import type { ProjectKeys } from '../keys/list-keys.js';
import type { WebhookStatus } from '../webhooks/webhook-status.js';

export interface Chrome {
  email?: string;
  csrf?: string;
  /** Shown on every page when sign-in is the loopback-only local login. */
  localLogin: boolean;
  chart?: boolean;
  /** dashboard.repositoryUrl: commits and pull requests become links. */
  repository?: string;
}

const when = (d: Date | null | undefined) => (d ? d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '–');
const enc = encodeURIComponent;

export function layout(title: string, chrome: Chrome, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · argosctl dashboard</title>
<link rel="stylesheet" href="/assets/dashboard.css">
${chrome.chart ? raw('<link rel="stylesheet" href="/assets/uPlot.min.css">') : ''}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
${
  chrome.localLogin
    ? html`<p class="banner" role="note">Local login: anyone on this machine may sign in as any admin. For trying the dashboard only; run it behind an authenticating proxy for real use.</p>`
    : ''
}
<header>
<nav aria-label="Main"><a href="/">Projects</a> <a href="/audit">Audit trail</a>${
    chrome.email ? html` <a href="/admins/${enc(chrome.email)}/logins">My sign-ins</a>` : ''
  }</nav>
${
  chrome.email
    ? html`<form class="signout" method="post" action="/logout"><span>Signed in as ${chrome.email}</span>
<input type="hidden" name="csrf" value="${chrome.csrf ?? ''}"><button type="submit">Sign out</button></form>`
    : ''
}
</header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
${chrome.chart ? raw('<script src="/assets/uPlot.iife.min.js"></script><script src="/assets/chart.js"></script>') : ''}
</body>
</html>
`.text;
}

/** A commit and a pull request, as links when the repository's https URL is known. */
function gitRefs(repository: string | undefined, commit: string | null, pr: number | null): SafeHtml {
  const c = commit
    ? link(
        repository && /^[0-9a-f]{7,64}$/i.test(commit) ? `${repository}/commit/${commit}` : null,
        html`<code>${commit.slice(0, 12)}</code>`,
      )
    : '';
  const r = pr ? link(repository ? `${repository}/pull/${pr}` : null, `PR #${pr}`) : '';
  return html`${c}${c && r ? ' ' : ''}${r}`;
}

function lastApply(p: ProjectRow, repository?: string): SafeHtml {
  // who applied what is part of the timeline, which a guest does not see
  if (!sightOf(p.viewer).settings) return html`<span class="muted">not shown to guests</span>`;
  if (!p.lastApply) return html`never applied`;
  const a = p.lastApply;
  const refs = a.commit || a.pr ? html`, ${gitRefs(repository, a.commit, a.pr)}` : '';
  return html`${when(a.at)} by ${a.actor}${refs}${p.dirty ? html` <strong class="dirty">changed outside git since (dirty)</strong>` : ''}`;
}

function lastDrift(p: ProjectRow): SafeHtml {
  const d = p.lastDrift;
  if (!d) return html`<span class="muted">not checked yet</span>`;
  const result = d.unmanaged
    ? html`<strong class="dirty">in the database only (no manifest)</strong>`
    : d.differences
      ? html`<strong class="dirty">drift: ${d.differences} setting(s) differ</strong>`
      : html`in sync`;
  return html`${result}, checked ${when(d.at)}`;
}

interface ChartRow {
  /** The x value: seconds since 1970 (UTC). */
  t: number;
  label: string;
  values: number[];
}

/** A chart drawn from the table beside it: the table is the data, and what a reader without script sees. */
function chartPair(id: string, title: string, description: string, heads: string[], rows: ChartRow[]): SafeHtml {
  return html`<h2>${title}</h2>
<div class="chart-pair">
<div id="${id}" class="chart" role="img" aria-label="${description}; the numbers are in the table beside it"></div>
<table data-chart="${id}" class="numbers">
<caption>${title} (UTC)</caption>
<thead><tr>${heads.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr><td data-t="${r.t}">${r.label}</td>${r.values.map((v) => html`<td>${v}</td>`)}</tr>`)}</tbody>
</table>
</div>`;
}

export function overviewPage(
  chrome: Chrome,
  view: { rows: ProjectRow[]; total: number; hidden: number; filter: string; sort: Sort; page: number },
): string {
  const pages = Math.max(1, Math.ceil(view.total / PAGE_SIZE));
  const query = (page: number) => `/?q=${enc(view.filter)}&sort=${view.sort}&page=${page}`;
  const body = html`
<form method="get" action="/" class="filters">
<label for="q">Filter by id or name</label> <input id="q" name="q" value="${view.filter}">
<label for="sort">Sort by</label> <select id="sort" name="sort">${SORTS.map(
    (s) => html`<option value="${s}"${s === view.sort ? raw(' selected') : ''}>${s}</option>`,
  )}</select>
<button type="submit">Show</button>
</form>
${view.hidden ? html`<p>${view.hidden} project(s) not shown: their dashboard IP whitelist does not include your address.</p>` : ''}
<table>
<caption>${view.total} project(s) you can see, page ${view.page} of ${pages}</caption>
<thead><tr><th scope="col">Project</th><th scope="col">Status</th><th scope="col">Submissions</th><th scope="col">Region</th><th scope="col">Tokens used of ${TOKEN_CAP.toLocaleString('en')}</th><th scope="col">Last apply</th><th scope="col">Last drift check</th><th scope="col">You are</th></tr></thead>
<tbody>
${view.rows.map(
  (p) => html`<tr>
<td><a href="/projects/${enc(p.id)}">${p.id}</a><br><span class="muted">${p.name}</span></td>
<td>${p.status}</td>
<td>${p.submissions === 'emergency-stop' ? html`<strong class="stop">EMERGENCY STOP</strong>` : 'normal'}</td>
<td>${p.region ?? '–'}</td>
<td><progress max="${TOKEN_CAP}" value="${p.registered}" aria-label="tokens used of ${p.id}">${p.registered}</progress> ${p.registered.toLocaleString('en')}</td>
<td>${lastApply(p, chrome.repository)}</td>
<td>${lastDrift(p)}</td>
<td>${p.viewer}</td>
</tr>`,
)}
</tbody>
</table>
<nav aria-label="Pages" class="pages">${view.page > 1 ? html`<a href="${query(view.page - 1)}">Previous page</a>` : ''} ${
    view.page < pages ? html`<a href="${query(view.page + 1)}">Next page</a>` : ''
  }</nav>`;
  return layout('Projects', chrome, body);
}

export interface ProjectView {
  project: ProjectRow;
  sight: Sight;
  manifest?: string;
  timeline?: TimelineItem[];
  admins?: AdminRow[];
  days: DayCount[];
  hours?: HourCount[];
  /** From the traffic facts: admissions admitted and refused by reason per hour; callers per address. */
  outcomes?: AdmissionOutcomes;
  callers?: CallerRow[];
  sessions?: LiveformSessionRow[];
  keys?: ProjectKeys;
  webhook?: WebhookStatus;
  blame?: SettingBlame[];
  notice?: string;
}

function emergencyForm(p: ProjectRow, csrf: string): SafeHtml {
  const stopping = p.submissions !== 'emergency-stop';
  return html`<form method="post" action="/projects/${enc(p.id)}/emergency" class="emergency">
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="action" value="${stopping ? 'emergency-stop' : 'emergency-resume'}">
<label for="reason">Reason (required, recorded in the audit trail)</label>
<input id="reason" name="reason" required maxlength="500">
<button type="submit">${stopping ? 'Emergency stop' : 'Resume submissions'}</button>
</form>`;
}

export function projectPage(chrome: Chrome, v: ProjectView): string {
  const p = v.project;
  const body = html`
${v.notice ? html`<p role="status" class="notice">${v.notice}</p>` : ''}
<dl class="facts">
<dt>Name</dt><dd>${p.name}</dd>
<dt>Status</dt><dd>${p.status}</dd>
<dt>Submissions</dt><dd>${p.submissions === 'emergency-stop' ? html`<strong class="stop">EMERGENCY STOP</strong>` : 'normal'}</dd>
<dt>Region</dt><dd>${p.region ?? '–'}</dd>
<dt>Tokens used</dt><dd><progress max="${TOKEN_CAP}" value="${p.registered}" aria-label="tokens used">${p.registered}</progress> ${p.registered.toLocaleString('en')} of ${TOKEN_CAP.toLocaleString('en')}</dd>
<dt>Last apply</dt><dd>${lastApply(p, chrome.repository)}</dd>
<dt>Last drift check</dt><dd>${lastDrift(p)}</dd>
<dt>Privacy protection</dt><dd>${p.privacyProtection ? 'on: token IDs and end-user addresses are masked' : 'off'}</dd>
<dt>You are</dt><dd>${p.viewer}${v.sight.act ? '' : ' (read-only)'}</dd>
</dl>
${v.sight.act && chrome.csrf ? emergencyForm(p, chrome.csrf) : ''}
${chartPair(
  'chart-tokens',
  `Tokens per day (last ${v.days.length} days)`,
  'Chart of tokens registered, used and expired per day',
  ['day', 'registered', 'used', 'expired'],
  v.days.map((d) => ({
    t: Date.parse(`${d.day}T00:00:00Z`) / 1000,
    label: d.day,
    values: [d.registered, d.used, d.expired],
  })),
)}
${
  v.hours
    ? chartPair(
        'chart-admissions',
        `Liveform admissions per hour (last ${v.hours.length} hours)`,
        'Chart of Liveform sessions started, approved and rejected per hour',
        ['hour', 'started', 'approved', 'rejected'],
        v.hours.map((h) => ({
          t: Date.parse(`${h.hour.replace(' ', 'T')}:00Z`) / 1000,
          label: h.hour,
          values: [h.started, h.approved, h.rejected],
        })),
      )
    : ''
}
${
  v.outcomes
    ? chartPair(
        'chart-outcomes',
        `Admissions admitted and refused by reason per hour (last ${v.outcomes.hours.length} hours)`,
        'Chart of Liveform admissions admitted and refused, by refusal reason, per hour',
        ['hour', 'admitted', ...v.outcomes.reasons],
        v.outcomes.hours.map((h) => ({
          t: Date.parse(`${h.hour.replace(' ', 'T')}:00Z`) / 1000,
          label: h.hour,
          values: [h.admitted, ...h.refused],
        })),
      )
    : ''
}
${v.callers ? callersSection(v.callers) : ''}
${v.webhook ? webhookSection(v.webhook) : ''}
${v.keys ? keysSection(v.keys) : ''}
${
  v.sessions
    ? html`<h2>Recent Liveform sessions</h2>
<table><thead><tr><th scope="col">Started</th><th scope="col">Token ID</th><th scope="col">Address</th><th scope="col">Result</th></tr></thead>
<tbody>${v.sessions.map(
        (s) =>
          html`<tr><td>${when(s.startedAt)}</td><td>${s.tokenId ?? '–'}</td><td>${s.clientIp ?? '–'}</td><td>${s.result ?? 'open'}</td></tr>`,
      )}</tbody></table>`
    : ''
}
${
  v.admins
    ? html`<h2>Admins</h2>
<table><thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Last sign-in</th></tr></thead>
<tbody>${v.admins.map(
        (a) =>
          html`<tr><td>${v.sight.personal ? html`<a href="/admins/${enc(a.email)}/logins">${a.email}</a>` : a.email}</td><td>${a.role}</td><td>${when(a.lastSignIn)}</td></tr>`,
      )}</tbody></table>`
    : ''
}
${
  v.timeline
    ? html`<h2>Timeline</h2>
<table><thead><tr><th scope="col">When</th><th scope="col">Kind</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Commit / PR</th><th scope="col">Reason</th></tr></thead>
<tbody>${v.timeline.map(
        (t) =>
          html`<tr><td>${when(t.at)}</td><td>${t.kind}</td><td>${t.actor}</td><td>${t.what}</td><td>${gitRefs(chrome.repository, t.commit, t.pr)}</td><td>${t.reason ?? ''}</td></tr>`,
      )}</tbody></table>`
    : ''
}
${v.blame ? blameSection(v.blame, chrome.repository) : ''}
${v.manifest ? html`<h2>Settings (as a manifest)</h2><pre class="manifest">${v.manifest}</pre>` : ''}`;
  return layout(`Project ${p.id}`, { ...chrome, chart: true }, body);
}

function blameSection(lines: SettingBlame[], repository: string | undefined): SafeHtml {
  return html`<h2>Blame: who set each setting</h2>
<table><thead><tr><th scope="col">setting</th><th scope="col">value</th><th scope="col">set by</th></tr></thead>
<tbody>${lines.map(
    (l) =>
      html`<tr><td><code>${l.setting}</code></td><td>${JSON.stringify(l.value)}</td><td>${
        l.setBy
          ? html`${l.setBy.actor}, ${l.setBy.appliedAt.slice(0, 10)}${l.setBy.commit || l.setBy.pr ? ', ' : ''}${gitRefs(repository, l.setBy.commit, l.setBy.pr)}`
          : html`<strong class="dirty">not set by an apply (changed outside git)</strong>`
      }</td></tr>`,
  )}</tbody></table>`;
}

function callersSection(callers: CallerRow[]): SafeHtml {
  return html`<h2>Token API callers per address (last 7 days)</h2>
${
  callers.length
    ? html`<table><thead><tr><th scope="col">address</th><th scope="col">calls</th><th scope="col">refused</th><th scope="col">key generations</th><th scope="col">last seen (hour, UTC)</th></tr></thead>
<tbody>${callers.map((c) => html`<tr><td>${c.address}</td><td>${c.calls}</td><td>${c.refused}</td><td>${c.generations.join(', ') || '–'}</td><td>${c.lastHour}</td></tr>`)}</tbody></table>`
    : html`<p>No calls recorded.</p>`
}`;
}

function webhookSection(w: WebhookStatus): SafeHtml {
  return html`<h2>Webhook deliveries</h2>
<p>${w.webhook ? html`Posts ${w.webhook.events.join(', ')} to ${link(w.webhook.url, w.webhook.url)}.` : 'No webhook.'}</p>
<table><caption>Events by state</caption>
<thead><tr><th scope="col">pending</th><th scope="col">delivered</th><th scope="col">dead</th><th scope="col">next retry</th></tr></thead>
<tbody><tr><td>${w.pending}</td><td>${w.delivered}</td><td>${w.dead}</td><td>${w.nextRetryAt ?? '–'}</td></tr></tbody></table>
${
  w.recentFailures.length
    ? html`<table><caption>Latest failures</caption><thead><tr><th scope="col">event</th><th scope="col">attempts</th><th scope="col">when</th><th scope="col">error</th><th scope="col">dead</th></tr></thead>
<tbody>${w.recentFailures.map((f) => html`<tr><td>${f.eventId}</td><td>${f.attempts}</td><td>${f.at ?? '–'}</td><td>${f.error}</td><td>${f.dead ? 'yes' : 'no'}</td></tr>`)}</tbody></table>`
    : ''
}`;
}

function keysSection(k: ProjectKeys): SafeHtml {
  const revealed = (r: { at: string; by: string } | null) => (r ? `${r.at} by ${r.by}` : 'not revealed');
  const rows = [
    ...k.apiKeys.map((a) => [
      'API key',
      `rotation ${a.rotation}`,
      a.fingerprint,
      a.createdAt,
      a.validUntil,
      revealed(a.revealed),
    ]),
    ...k.encryptionKeys.map((e) => [
      `encryption key ${e.name}`,
      `rotation ${e.rotation}, ${e.status}${e.current ? ', current' : ''}`,
      e.fingerprint,
      e.createdAt,
      e.validUntil,
      revealed(e.revealed),
    ]),
    ...k.webhookSecrets.map((w) => [
      'webhook secret',
      `rotation ${w.rotation}`,
      w.fingerprint,
      w.createdAt,
      w.validUntil,
      revealed(w.revealed),
    ]),
  ];
  return html`<h2>Keys by fingerprint</h2>
${
  rows.length
    ? html`<table><thead><tr><th scope="col">key</th><th scope="col">generation</th><th scope="col">fingerprint</th><th scope="col">created</th><th scope="col">valid until</th><th scope="col">revealed</th></tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c ?? '–'}</td>`)}</tr>`)}</tbody></table>`
    : html`<p>No keys.</p>`
}`;
}

export function auditPage(chrome: Chrome, f: AuditFilter, rows: AuditRow[]): string {
  const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]).toString();
  const field = (name: keyof AuditFilter, label: string, type = 'text') =>
    html`<label for="f-${name}">${label}</label> <input id="f-${name}" name="${name}" type="${type}" value="${f[name] ?? ''}">`;
  const body = html`
<form method="get" action="/audit" class="filters">
${field('project', 'Project')} ${field('actor', 'Actor')} ${field('kind', 'Kind')} ${field('since', 'From', 'date')} ${field('until', 'To', 'date')}
<button type="submit">Filter</button>
</form>
<p><a href="/audit.csv${q ? `?${q}` : ''}">Download as CSV</a></p>
<table>
<caption>${rows.length} most recent change(s)</caption>
<thead><tr><th scope="col">When</th><th scope="col">Project</th><th scope="col">Actor</th><th scope="col">Kind</th><th scope="col">Setting</th><th scope="col">Before</th><th scope="col">After</th><th scope="col">Commit / PR</th><th scope="col">Reason</th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><td>${when(r.at)}</td><td><a href="/projects/${enc(r.project)}">${r.project}</a></td><td>${r.actor}</td><td>${r.action}</td><td>${r.path}${r.member ? ` [${r.member}]` : ''}</td><td>${JSON.stringify(r.before) ?? ''}</td><td>${JSON.stringify(r.after) ?? ''}</td><td>${gitRefs(chrome.repository, r.commit, r.pr)}</td><td>${r.reason}</td></tr>`,
  )}</tbody>
</table>`;
  return layout('Audit trail', chrome, body);
}

export function loginsPage(chrome: Chrome, email: string, rows: LoginRow[]): string {
  const body = html`<table>
<caption>Sign-in records of ${email}, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">Address</th><th scope="col">Method</th><th scope="col">Outcome</th><th scope="col">Reason</th><th scope="col">User agent</th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><td>${when(r.at)}</td><td>${r.ip ?? '–'}</td><td>${r.method ?? '–'}</td><td>${r.outcome ?? '–'}</td><td>${r.reason ?? ''}</td><td>${r.userAgent ?? ''}</td></tr>`,
  )}</tbody></table>`;
  return layout('Sign-in records', chrome, body);
}

export function messagePage(title: string, chrome: Chrome, message: string, extra?: SafeHtml): string {
  return layout(title, chrome, html`<p>${message}</p>${extra ?? ''}`);
}

export function localLoginPage(chrome: Chrome, emails: string[], formToken: string): string {
  return layout(
    'Sign in (local login)',
    chrome,
    html`<form method="post" action="/login">
<input type="hidden" name="csrf" value="${formToken}">
<label for="email">Sign in as</label>
<select id="email" name="email">${emails.map((e) => html`<option value="${e}">${e}</option>`)}</select>
<button type="submit">Sign in</button>
</form>`,
  );
}

export { link };
