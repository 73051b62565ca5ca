// User text is inert everywhere: hostile names, labels, emails, key names, file names, reasons,
// actors, authors, commits and subjects go through every renderer and come out as text to read,
// never as markup, terminal control, a CI workflow command or a spreadsheet formula.
import { describe, expect, it } from 'vitest';
import type { DriftItem } from '../../src/drift/classify-drift.js';
import { diagnosticsMarkdown, planCommentBody } from '../../src/github/comment-body.js';
import type { Diagnostic } from '../../src/manifest/diagnostic.js';
import { EMPTY_ORGANIZATION } from '../../src/manifest/organization.js';
import { diffProjects } from '../../src/plan/diff.js';
import { planRefusals } from '../../src/plan/guards.js';
import { PLAN_FORMAT_VERSION, summarize, type Plan } from '../../src/plan/plan-types.js';
import { renderDiagnosticsGithub, renderDiagnosticsText } from '../../src/render/diagnostics.js';
import { renderDriftMarkdown, renderDriftText } from '../../src/render/drift.js';
import { escapeCsv } from '../../src/render/escape-csv.js';
import type { TimelineEvent } from '../../src/audit/timeline.js';
import {
  renderBlameCsv,
  renderBlameMarkdown,
  renderBlameText,
  renderHistoryCsv,
  renderHistoryMarkdown,
  renderHistoryText,
  type BlameLine,
} from '../../src/render/history.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { makeStyle } from '../../src/render/style.js';
import { admin, desired, project, stateOf } from '../helpers/builders.js';

/** Every attack in one value, and each on its own. */
const ATTACKS = [
  '<img src=x onerror=alert(1)>',
  '</details>',
  '@org/team',
  '#1',
  'a`b``c```d',
  '\n# heading',
  '\n::add-mask::x',
  '\n::error::x',
  '\r::warning::x',
  '\x1b[31mred',
  '\u009b31m',
  '\u202eevil',
  '\b\b\bok',
  '=HYPERLINK("http://x","y")',
  '+cmd',
  '-1+1',
  '@SUM(1)',
];
const H = ATTACKS.join(' ');
const LEADING = ['::error::x', '=HYPERLINK("http://x")', '+cmd', '-1+1', '@SUM(1)', '\tTAB', '\rCR'];

function hostilePlan(): Plan {
  const current = stateOf(
    project('bank', {
      name: 'Bank',
      labels: { team: 'a' },
      admins: [admin('a@x.example')],
      ipWhitelistApi: [H],
      submissions: 'emergency-stop',
    }),
    project(`legacy ${H}`),
  );
  const wants = [
    desired(
      project('bank', {
        name: H,
        labels: { team: H, [H]: 'v' },
        admins: [admin('a@x.example'), admin(`${H}@x.example`)],
      }),
      `projects/${H}.yaml`,
    ),
    desired(
      project(`new ${H}`, { admins: [admin(H)], encryptionKeys: [{ name: H, status: 'active' }] }),
      `projects/new${H}.yaml`,
    ),
    ...LEADING.map((id) => desired(project(id), `${id}.yaml`)),
  ];
  // A break-glass stop by a hostile actor with a hostile reason, and a risky removal of a hostile member.
  const { changes, unmanaged } = diffProjects(
    wants,
    current,
    true,
    new Map([['bank', { action: 'emergency-stop', actor: H, at: H, reason: H }]]),
  );
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    argosctlVersion: H,
    refusals: planRefusals({ changes, existingProjects: 2 }, { organization: EMPTY_ORGANIZATION, declaredProjects: 9 }),
    createdAt: '2026-11-25T00:00:00.000Z',
    stateFingerprint: 'sha256:s',
    manifestDigest: 'sha256:m',
    planDigest: 'sha256:p',
    git: { branch: H, author: H },
    unmanaged,
    scope: 'all',
    existingProjects: 2,
    summary: summarize(changes, unmanaged.length),
    changes,
    diagnostics: [],
  };
}

const diagnostics: Diagnostic[] = [H, ...LEADING].map((v) => ({
  severity: 'error',
  rule: 'schema.type',
  file: `${v}.yaml`,
  line: 3,
  column: 5,
  path: `metadata.labels[${JSON.stringify(v)}]`,
  message: `expected a string, got ${v}`,
  allowed: v,
  hint: v,
}));

const driftItems: DriftItem[] = [H, ...LEADING].map((v) => ({
  projectId: v,
  key: `metadata.labels.${v}`,
  git: v,
  database: { [v]: v },
  lastApplied: [v],
  origin: 'database',
  lastAppliedBy: { id: '1', appliedAt: `2026-01-01${v}`, actor: v, commit: v, pr: null, planDigest: 'sha256:p' },
}));

/** One event of every kind per hostile value, each field that holds user text holding it. */
const historyItems: TimelineEvent[] = [H, ...LEADING].flatMap((v, n): TimelineEvent[] => {
  const base = { time: '2026-01-01T00:00:00.000Z', actor: v, project: v };
  return [
    {
      ...base,
      id: `audit_log:${n}`,
      kind: 'apply',
      commit: v,
      branch: v,
      author: `${v} <${v}@x.example>`,
      pr: null,
      dirty: true,
      dirtyFiles: [{ path: `${v}.yaml`, status: 'M', sha256: null }],
      plan: `sha256:${v}`,
      action: 'update',
      setting: `metadata.labels.${v}`,
      before: v,
      after: { [v]: v },
      shown: { before: v, after: v, default: false },
      reason: v,
    },
    {
      ...base,
      id: `audit_log:c${n}`,
      kind: 'apply',
      commit: v,
      branch: null,
      author: null,
      pr: 1,
      dirty: false,
      dirtyFiles: null,
      plan: 'sha256:p',
      action: 'create',
      setting: 'project',
      before: null,
      after: null,
      shown: { before: '', after: '', default: false },
      settings: [{ setting: `metadata.labels.${v}`, value: v, default: true }],
      reason: v,
    },
    {
      ...base,
      id: `audit_log:b${n}`,
      kind: 'break-glass',
      action: 'emergency-stop',
      setting: 'spec.submissions',
      before: v,
      after: v,
      reason: v,
      commit: v,
    },
    { ...base, id: `key_reveals:${n}`, kind: 'reveal', secret: `encryption-key:${v}`, rotation: 1, fingerprint: v },
    { ...base, id: `audit_events:${n}`, kind: 'redrive', events: [v] },
    { ...base, id: `audit_events:r${n}`, kind: 'rewrap', project: null, rewrapped: { [v]: 1 }, sealedFromClear: 0 },
    { ...base, id: `admin_logins:${n}`, kind: 'sign-in', project: null, ip: v, userAgent: v },
    {
      ...base,
      id: `prune_runs:${n}`,
      kind: 'prune',
      tick: null,
      expiredMarked: 1,
      expiredDeleted: 1,
      volumeDeleted: 0,
      registeredBefore: 2,
      registeredAfter: 1,
      outcome: v,
    },
  ];
});

const blameLines: BlameLine[] = [H, ...LEADING].map((v, n) => ({
  setting: `metadata.labels.${v}`,
  value: v,
  shown: v,
  subject: v,
  outsideGit: false,
  setBy: { id: String(n), appliedAt: '2026-01-01', actor: v, commit: v, pr: null, planDigest: 'sha256:p', dirty: true },
}));

/** Terminal and CI log: no control character, no bidi override, no line that starts a workflow command. */
function expectTerminalInert(out: string): void {
  expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  for (const line of out.split('\n')) expect(line).not.toMatch(/^\s*(::|##\[)/);
  expect(out).toContain('\\x1b[31mred'); // shown, not dropped
  expect(out).toContain('\\u202eevil');
}

const OUR_TAGS = /<\/?(details|summary|code|sub)>/g;
/** The hidden marker: an HTML comment (never rendered) that nothing in `dir` can end or break. */
const MARKER = /^<!-- argosctl:plan dir=[^<>\u0000-\u001f\u007f-\u009f]* -->\n/;
const OUR_HEADINGS = new Set(['### argosctl plan', '### argosctl: the manifests are invalid', '### argosctl drift']);

/** Markdown: no HTML but ours, no mention or reference, no code span, no heading, table rows intact. */
function expectMarkdownInert(withMarker: string): void {
  const md = withMarker.replace(MARKER, '');
  if (withMarker.startsWith('<!--')) expect(withMarker).toMatch(MARKER);
  expect(md.replace(OUR_TAGS, '')).not.toMatch(/[<>]/);
  expect((md.match(/<details>/g) ?? []).length).toBe((md.match(/<\/details>/g) ?? []).length);
  expect(md).not.toMatch(/@(?!\u200d)/);
  expect(md.replace(/&#\d+;/g, '')).not.toMatch(/#(?![\u200d# ])/); // our entities (&#96;) aside
  expect(md).not.toContain('`');
  expect(md).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  for (const line of md.split('\n')) {
    if (line.startsWith('#')) expect(OUR_HEADINGS).toContain(line);
    expect(line).not.toMatch(/^\s*(::|##\[)/);
  }
  for (const table of md.split(/\n(?!\|)/).filter((block) => block.trimStart().startsWith('|'))) {
    const rows = table
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('|'));
    const cells = (row: string) => row.split('|').length;
    for (const row of rows) expect(cells(row), row).toBe(cells(rows[0]));
  }
}

describe('hostile text stays inert', () => {
  it('plan as text: controls and ANSI shown escaped, no value starts a workflow command', () => {
    expect(hostilePlan().refusals.map((r) => r.kind)).toEqual(['break-glass', 'risk']); // the refusal sections carry hostile text too
    expect(renderPlanText(hostilePlan(), makeStyle(false))).toMatch(/Apply will refuse[\s\S]*Changed outside git/);
    expectTerminalInert(renderPlanText(hostilePlan(), makeStyle(false)));
  });

  it('plan as markdown and as the PR comment: no HTML, mentions, code spans, headings or broken tables', () => {
    expectMarkdownInert(renderPlanMarkdown(hostilePlan()));
    expectMarkdownInert(planCommentBody({ dir: `projects${H}`, plan: hostilePlan(), sha: H }));
  });

  it('validation errors in the PR comment, as text and as GitHub annotations', () => {
    expectMarkdownInert(diagnosticsMarkdown(diagnostics));
    expectMarkdownInert(planCommentBody({ dir: 'projects', diagnostics }));
    expectTerminalInert(renderDiagnosticsText(diagnostics, makeStyle(false)));
    const github = renderDiagnosticsGithub(diagnostics).trimEnd().split('\n');
    expect(github).toHaveLength(diagnostics.length);
    for (const line of github) {
      expect(line).toMatch(/^::error file=[^,:]*,line=3,col=5,title=argosctl schema\.type::/);
      expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    }
  });

  it('drift as text and as the drift issue', () => {
    expectTerminalInert(renderDriftText(driftItems));
    expectMarkdownInert(renderDriftMarkdown(driftItems));
  });

  it('history and blame as text and markdown: every event kind', () => {
    expectTerminalInert(renderHistoryText(historyItems));
    expectMarkdownInert(renderHistoryMarkdown(historyItems));
    expectTerminalInert(renderBlameText(blameLines, historyItems));
    expectMarkdownInert(renderBlameMarkdown(blameLines, historyItems));
  });

  it('CSV: formula cells get a leading quote, quotes doubled, one line per row, controls escaped', () => {
    const csv = renderHistoryCsv(historyItems);
    const blame = renderBlameCsv(H, blameLines, historyItems);
    expect(csv).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    const lines = csv.trimEnd().split('\n');
    expect(lines).toHaveLength(historyItems.length + 1); // a create with one value is one row
    expect(blame.trimEnd().split('\n')).toHaveLength(blameLines.length + historyItems.length + 1);
    for (const line of [...lines.slice(1), ...blame.trimEnd().split('\n').slice(1)]) {
      // Cells are split on commas outside quotes; a quoted cell's content is unquoted first.
      const cells = line
        .match(/("([^"]|"")*"|[^,]*)(,|$)/g)!
        .map((c) => c.replace(/,$/, '').replace(/^"([\s\S]*)"$/, (_m, inner: string) => inner.replace(/""/g, '"')));
      for (const cell of cells) expect(cell, line).not.toMatch(/^[=+\-@\t\r]/);
    }
    expect(escapeCsv('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(escapeCsv('-1+1')).toBe("'-1+1");
    expect(escapeCsv('@SUM(1)')).toBe("'@SUM(1)");
    expect(escapeCsv('+cmd')).toBe("'+cmd");
    expect(escapeCsv('\tTAB')).toBe("'\\tTAB");
    expect(escapeCsv(-5)).toBe('-5'); // a number is not a formula
    expect(escapeCsv('plain')).toBe('plain');
  });
});
