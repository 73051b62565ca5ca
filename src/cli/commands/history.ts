// argosctl history, blame and admins logins: the audit trail for auditors. history and blame
// render one timeline (src/audit/timeline.ts) of every recorded event; src/render/history.ts
// escapes user text per output kind.
import { execFileSync } from 'node:child_process';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../../db/schema.js';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { readState } from '../../db/read-state.js';
import { readApplyHistory, replayAudit } from '../../drift/audit-replay.js';
import { flattenSettings } from '../../model/flatten.js';
import { loginsOf } from '../../dashboard/queries.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import {
  renderBlameCsv,
  renderBlameMarkdown,
  renderBlameText,
  renderHistoryCsv,
  renderHistoryMarkdown,
  renderHistoryText,
  type BlameLine,
} from '../../render/history.js';
import { EVENT_KINDS, parseKinds, readTimeline, type ApplyEvent, type EventKind } from '../../audit/timeline.js';
import { shownValue, withDefaultMark } from '../../audit/values-as-written.js';
import { parseDuration } from '../../util/duration.js';
import type { CliContext } from '../context.js';
import { UserError } from '../../errors.js';
import { collect, databaseOption, formatOption } from '../options.js';
import { jsonDocument } from '../../render/json-document.js';

function parseSince(value: string): Date {
  const seconds = parseDuration(value);
  if (seconds !== undefined) return new Date(Date.now() - seconds * 1000);
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new InvalidArgumentError('expected a date (2026-11-01) or a duration (7d, 24h)');
  return date;
}

function kindOption(): Option {
  return new Option('--kind <kind>', `only these events (repeatable, or a comma list): ${EVENT_KINDS.join(', ')}`)
    .argParser(collect)
    .default([] as string[]);
}

function kindsOf(values: readonly string[]): EventKind[] {
  const kinds = parseKinds(values);
  if ('unknown' in kinds)
    throw new UserError(
      `--kind: "${kinds.unknown.slice(0, 40)}" is not an event kind`,
      `one of: ${EVENT_KINDS.join(', ')}`,
    );
  return kinds;
}

function commitSubject(cwd: string, commit: string | null): string | undefined {
  if (!commit) return undefined;
  try {
    // After --end-of-options, a commit recorded as `--output=/tmp/x` is a revision, never an option.
    return (
      execFileSync('git', ['log', '-1', '--format=%s', '--end-of-options', commit], {
        cwd,
        stdio: ['ignore', 'pipe', 'ignore'],
        encoding: 'utf8',
      }).trim() || undefined
    );
  } catch {
    return undefined; // not a checkout, or the commit is not here
  }
}

/**
 * A project id with no events at all that the database does not hold is a mistyped id (exit 1),
 * not a project whose history is empty: said so, instead of "No recorded events." A project that
 * was deleted keeps its history, and one with no events in the window asked for prints none.
 */
async function assertProjectKnown(db: Kysely<DatabaseSchema>, project: string, filtered: boolean): Promise<void> {
  const held = await db.selectFrom('projects').select('id').where('id', '=', project).executeTakeFirst();
  // Unfiltered, the empty timeline just read is already the whole of it.
  if (held || (filtered && (await readTimeline(db, { project })).events.length > 0)) return;
  throw new UserError(
    `project ${JSON.stringify(project).slice(0, 80)} has no recorded events and the database does not hold it`,
    "check the id (`argosctl history` without one shows every project's events)",
  ); // main escapes messages
}

export function historyCommands(ctx: CliContext): Command[] {
  const history = new Command('history')
    .description(
      'the audit trail in order: applies (commit, PR, uncommitted files), break-glass, key reveals, rewraps, webhook redrives, admin sign-ins, prune passes',
    )
    .argument('[project]', 'only this project')
    .option('--since <when>', 'a date (2026-11-01) or a duration back from now (7d)', parseSince)
    .addOption(kindOption())
    .addOption(formatOption(['text', 'markdown', 'json', 'csv']))
    .addOption(databaseOption())
    .action(
      async (
        project: string | undefined,
        opts: { since?: Date; kind: string[]; format: string; databaseUrl?: string },
      ) => {
        const kinds = kindsOf(opts.kind);
        const timeline = await withDatabase(resolveDatabaseUrl(opts.databaseUrl), async ({ db }) => {
          const found = await readTimeline(db, { project, since: opts.since, kinds });
          if (project !== undefined && found.events.length === 0 && found.unreadable.length === 0)
            await assertProjectKnown(db, project, opts.since !== undefined || kinds.length > 0);
          return found;
        });
        if (opts.format === 'json')
          return ctx.out(jsonDocument('history', { entries: timeline.events, unreadable: timeline.unreadable }));
        if (opts.format === 'csv') return ctx.out(renderHistoryCsv(timeline.events));
        if (opts.format === 'markdown') return ctx.out(renderHistoryMarkdown(timeline.events));
        ctx.out(renderHistoryText(timeline.events, timeline.unreadable));
      },
    );

  const blame = new Command('blame')
    .description(
      "for each current setting of a project, the apply (commit, PR, actor, time) that last set it, then the project's other recorded events",
    )
    .argument('<project>', 'project id')
    .addOption(kindOption())
    .addOption(formatOption(['text', 'markdown', 'json', 'csv']))
    .addOption(databaseOption())
    .action(async (project: string, opts: { kind: string[]; format: string; databaseUrl?: string }) => {
      const chosen = kindsOf(opts.kind);
      // the other events: everything but the applies, whose rows are the settings above
      const kinds = (chosen.length ? chosen : EVENT_KINDS).filter((k) => k !== 'apply');
      const { current, applied, timeline } = await withDatabase(
        resolveDatabaseUrl(opts.databaseUrl),
        async ({ db }) => ({
          current: (await readState(db, [project])).projects.get(project),
          applied: replayAudit(await readApplyHistory(db, project)).get(project),
          timeline: await readTimeline(db, { project, kinds: ['apply', ...kinds] }),
        }),
      );
      if (!current) throw new UserError(`project "${project}" does not exist in the database`); // main escapes messages
      const applies = new Map(timeline.events.filter((e): e is ApplyEvent => e.kind === 'apply').map((e) => [e.id, e]));
      const subjects = new Map<string, string | undefined>();
      const lines = [...flattenSettings(current)].map(([key, value]): BlameLine => {
        const last = applied?.get(key);
        const setByGit = last && JSON.stringify(last.value) === JSON.stringify(value) ? last.setBy : undefined;
        if (setByGit?.commit && !subjects.has(setByGit.commit))
          subjects.set(setByGit.commit, commitSubject(ctx.cwd, setByGit.commit));
        const event = setByGit ? applies.get(`audit_log:${setByGit.id}`) : undefined;
        const created = event?.settings?.find((s) => s.setting === key);
        const shown = created
          ? withDefaultMark(created.value, created.default)
          : event && event.action !== 'create'
            ? withDefaultMark(event.shown.after, event.shown.default)
            : shownValue(key, value);
        return {
          setting: key,
          value,
          shown,
          setBy: setByGit ? { ...setByGit, dirty: event?.dirty ?? false } : null,
          // an uncommitted apply's commit subject describes another change
          subject: setByGit?.commit && !event?.dirty ? (subjects.get(setByGit.commit) ?? null) : null,
          outsideGit: !setByGit,
        };
      });
      const events = timeline.events.filter((e) => e.kind !== 'apply');
      if (opts.format === 'json')
        return ctx.out(jsonDocument('blame', { project, settings: lines, events, unreadable: timeline.unreadable }));
      if (opts.format === 'csv') return ctx.out(renderBlameCsv(project, lines, events));
      if (opts.format === 'markdown') return ctx.out(renderBlameMarkdown(lines, events));
      ctx.out(renderBlameText(lines, events));
    });

  const admins = new Command('admins').description('project administrators');
  admins
    .command('logins')
    .description('login records of an administrator account (read-only)')
    .argument('<email>', "the administrator's email")
    .option('--limit <n>', 'most recent records', (v) => Number(v), 100)
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (email: string, opts: { limit: number; format: string; databaseUrl?: string }) => {
      // The dashboard writes these (src/dashboard/sessions.ts): every sign-in, success or refusal.
      const rows = await withDatabase(resolveDatabaseUrl(opts.databaseUrl), ({ db }) =>
        loginsOf(db, email, opts.limit),
      );
      const items = rows.map((r) => ({
        time: r.at.toISOString(),
        ip: r.ip,
        userAgent: r.userAgent,
        method: r.method,
        outcome: r.outcome,
        reason: r.reason,
      }));
      if (opts.format === 'json') return ctx.out(jsonDocument('logins', { email, logins: items }));
      ctx.out(
        items.length
          ? items
              .map(
                (i) =>
                  `${i.time}  ${t(i.ip ?? '-')}  ${i.method ?? '-'}  ${i.outcome ?? '-'}${i.reason ? ` (${t(i.reason)})` : ''}  ${t(i.userAgent ?? '')}\n`,
              )
              .join('')
          : `No login records for ${t(email)}.\n`,
      );
    });
  return [history, blame, admins];
}
