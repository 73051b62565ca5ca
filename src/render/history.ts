// The audit timeline (src/audit/timeline.ts) for people: `history` and `blame` as text, markdown and
// CSV. Words come from one function (eventWords); each medium escapes them once: actors, commits,
// reasons, values, file names and commit subjects are user text.
import type { AuditRef } from '../drift/audit-replay.js';
import type { TimelineEvent } from '../audit/timeline.js';
import { withDefaultMark } from '../audit/values-as-written.js';
import { csvText } from './escape-csv.js';
import { markdownCode as code, escapeMarkdown as md } from './escape-markdown.js';
import { escapeTerminal as t } from './escape-terminal.js';

export interface BlameLine {
  setting: string;
  value: unknown;
  /** The value as written (`24h`), `(default)` marked when nobody wrote it. */
  shown: string;
  setBy: (AuditRef & { dirty: boolean }) | null;
  subject: string | null;
  outsideGit: boolean;
}

/** One event in words, before any escaping; a create has one row per value of the new project. */
export interface EventWords {
  action: string;
  setting: string;
  before: string;
  after: string;
  detail: string;
  commit: string;
  pr: string;
  dirty: string;
  files: string;
}

function short(commit: string | null): string {
  return commit ? commit.slice(0, 7) : '';
}

export function eventWords(e: TimelineEvent): EventWords[] {
  const none = { commit: '', pr: '', dirty: '', files: '', before: '', after: '', setting: '', detail: '' };
  switch (e.kind) {
    case 'apply': {
      const base = {
        commit: e.commit ?? '',
        pr: e.pr ? `#${e.pr}` : '',
        dirty: String(e.dirty),
        files: (e.dirtyFiles ?? [])
          .map((f) => `${f.status} ${f.path} ${f.sha256 ? `sha256:${f.sha256}` : '(deleted)'}`)
          .join('; '),
        detail: e.reason,
      };
      if (e.action === 'create')
        return (e.settings ?? []).map((s) => ({
          ...base,
          action: 'create',
          setting: s.setting,
          before: '',
          after: withDefaultMark(s.value, s.default),
        }));
      return [
        {
          ...base,
          action: e.action,
          setting: e.setting,
          before: e.shown.before,
          after: withDefaultMark(e.shown.after, e.shown.default),
        },
      ];
    }
    case 'break-glass':
      return [
        {
          ...none,
          commit: e.commit ?? '',
          action: e.action,
          setting: e.setting,
          before: String(e.before),
          after: String(e.after),
          detail: e.reason,
        },
      ];
    case 'reveal':
      return [{ ...none, action: 'reveal', setting: e.secret, after: e.fingerprint, detail: `rotation ${e.rotation}` }];
    case 'rewrap': {
      const total = Object.values(e.rewrapped).reduce((a, b) => a + b, 0);
      return [
        {
          ...none,
          action: 'rewrap',
          detail:
            e.unopenable === undefined
              ? `${total} sealed value(s) re-sealed with the new master key, ${e.sealedFromClear} sealed from clear`
              : `old master key lost: the configured key adopted, ${e.unopenable} sealed value(s) no key opens`,
        },
      ];
    }
    case 'redrive':
      return [{ ...none, action: 'redrive', detail: `webhook event(s) ${e.events.join(', ')} due again` }];
    case 'sign-in':
      return [
        {
          ...none,
          action: 'sign-in',
          detail: [e.ip ? `from ${e.ip}` : '', e.userAgent ?? ''].filter(Boolean).join(' '),
        },
      ];
    case 'prune':
      return [
        {
          ...none,
          action: 'prune',
          before: String(e.registeredBefore),
          after: String(e.registeredAfter),
          detail: `${e.expiredMarked} expired, ${e.expiredDeleted} expired deleted, ${e.volumeDeleted} deleted by volume (${e.outcome}${e.tick ? `, tick ${e.tick}` : ''})`,
        },
      ];
  }
}

const CSV_COLUMNS = [
  'time',
  'kind',
  'actor',
  'project',
  'commit',
  'pr',
  'dirty',
  'action',
  'setting',
  'before',
  'after',
  'detail',
  'files',
] as const;

/** Every cell through csvText: formulas neutralised, controls escaped, then quoted. */
export function renderHistoryCsv(events: readonly TimelineEvent[]): string {
  const rows: unknown[][] = [[...CSV_COLUMNS]];
  for (const e of events)
    for (const w of eventWords(e))
      rows.push([
        e.time,
        e.kind,
        e.actor,
        e.project ?? '',
        w.commit,
        w.pr,
        w.dirty,
        w.action,
        w.setting,
        w.before,
        w.after,
        w.detail,
        w.files,
      ]);
  return csvText(rows);
}

export function renderHistoryMarkdown(events: readonly TimelineEvent[]): string {
  const lines = [
    '| time | kind | actor | commit | project | change | before | after | detail |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const e of events)
    for (const w of eventWords(e)) {
      const commit =
        w.dirty === 'true'
          ? `**uncommitted** (on ${md(short(w.commit))})`
          : `${md(short(w.commit))}${w.pr ? ` ${md(w.pr)}` : ''}`;
      lines.push(
        `| ${md(e.time)} | ${md(e.kind)} | ${md(e.actor)} | ${commit} | ${e.project ? code(e.project) : ''} | ${md(w.action)}${w.setting ? ` ${code(w.setting)}` : ''} | ${md(w.before)} | ${md(w.after)} | ${md(w.detail)} |`,
      );
    }
  return lines.join('\n') + '\n';
}

/** One line per event (a create lists its values below it); the files of a dirty apply once, below its first row. */
export function renderHistoryText(events: readonly TimelineEvent[], unreadable: readonly string[] = []): string {
  const out: string[] = [];
  const filesShown = new Set<string>();
  for (const e of events) {
    const words = eventWords(e);
    const head = `${t(e.time)}  ${e.kind.padEnd(11)}  ${t(e.actor)}  ${t(e.project ?? '-')}`;
    if (e.kind === 'apply') {
      const ref = e.dirty ? uncommitted(e.commit) : `${t(short(e.commit) || '-------')}${e.pr ? ` #${e.pr}` : ''}`;
      if (e.action === 'create') {
        out.push(`${head}  ${ref}  create project`);
        for (const w of words) out.push(`    ${t(w.setting)}: ${t(w.after)}`);
      } else {
        const w = words[0];
        out.push(`${head}  ${ref}  ${e.action} ${t(w.setting)}: ${t(w.before)} → ${t(w.after)}`);
      }
      if (e.dirty && !filesShown.has(e.plan)) {
        filesShown.add(e.plan);
        for (const f of e.dirtyFiles ?? [])
          out.push(
            `    uncommitted: ${t(f.status)} ${t(f.path)} ${f.sha256 ? `sha256:${f.sha256.slice(0, 16)}…` : '(deleted)'}`,
          );
      }
      continue;
    }
    const w = words[0];
    const what =
      e.kind === 'break-glass'
        ? `${e.action} ${t(w.setting)}: ${t(w.before)} → ${t(w.after)} — ${t(w.detail)}`
        : e.kind === 'reveal'
          ? `revealed ${t(w.setting)} (${t(w.detail)}, fingerprint ${t(w.after)})`
          : e.kind === 'prune'
            ? `${t(w.detail)}; registered ${w.before} → ${w.after}`
            : t(w.detail);
    out.push(`${head}  ${what}`);
  }
  if (!out.length) out.push('No recorded events.');
  if (unreadable.length) out.push(`(not shown: ${unreadable.join(', ')}: this login may not read them)`);
  return out.join('\n') + '\n';
}

/**
 * An apply from files that differ from their commit: the commit (and its pull request) is only what
 * the change was made on, not what it was, so the PR is not shown as if it had reviewed it.
 */
function uncommitted(commit: string | null): string {
  return `uncommitted (on ${t(short(commit) || 'no commit')})`;
}

function blameBy(l: BlameLine): string {
  if (!l.setBy) return '(not set by an apply)';
  const b = l.setBy;
  const ref = b.dirty ? uncommitted(b.commit) : `${t(short(b.commit) || '-------')}${b.pr ? ` #${b.pr}` : ''}`;
  return `${ref} ${t(b.actor)} ${t(b.appliedAt.slice(0, 10))}`;
}

export function renderBlameText(lines: readonly BlameLine[], events: readonly TimelineEvent[]): string {
  const out = lines.map(
    (l) => `${blameBy(l)}  ${t(l.setting)} = ${t(l.shown)}${l.subject ? `  — ${t(l.subject)}` : ''}\n`,
  );
  if (events.length) out.push('\nOther recorded events:\n', renderHistoryText(events));
  return out.join('');
}

export function renderBlameMarkdown(lines: readonly BlameLine[], events: readonly TimelineEvent[]): string {
  const out = [
    '| setting | value | commit | actor | applied | subject |',
    '|---|---|---|---|---|---|',
    ...lines.map(
      (l) =>
        `| ${code(l.setting)} | ${md(l.shown)} | ${l.setBy ? (l.setBy.dirty ? `**uncommitted** (on ${md(short(l.setBy.commit))})` : `${md(short(l.setBy.commit))}${l.setBy.pr ? ` #${l.setBy.pr}` : ''}`) : '_not set by an apply_'} | ${md(l.setBy?.actor ?? '')} | ${md(l.setBy?.appliedAt ?? '')} | ${md(l.subject ?? '')} |`,
    ),
  ];
  return out.join('\n') + '\n' + (events.length ? `\n${renderHistoryMarkdown(events)}` : '');
}

/** Settings first (kind `setting`), then the other events as history's CSV rows. */
export function renderBlameCsv(project: string, lines: readonly BlameLine[], events: readonly TimelineEvent[]): string {
  const settingRows = lines.map((l) => [
    l.setBy?.appliedAt ?? '',
    'setting',
    l.setBy?.actor ?? '',
    project,
    l.setBy?.commit ?? '',
    l.setBy?.pr ? `#${l.setBy.pr}` : '',
    l.setBy ? String(l.setBy.dirty) : '',
    l.setBy ? 'set' : 'outside git',
    l.setting,
    '',
    l.shown,
    l.subject ?? '',
    '',
  ]);
  const history = renderHistoryCsv(events).split('\n').slice(1).join('\n');
  return csvText([[...CSV_COLUMNS], ...settingRows]) + history;
}
