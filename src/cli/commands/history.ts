// argosctl history, blame and admins logins: the audit trail for auditors (rendered in
// src/render/history.ts, where user text is escaped per output kind).
import { execFileSync } from 'node:child_process';
import { Command, InvalidArgumentError } from 'commander';
import { loginsOf } from '../../dashboard/queries.js';
import { blameProject } from '../../drift/blame.js';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { settingKey } from '../../model/flatten.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import {
  renderBlameText,
  renderHistoryCsv,
  renderHistoryMarkdown,
  renderHistoryText,
  type BlameLine,
  type HistoryItem,
} from '../../render/history.js';
import { parseDuration } from '../../util/duration.js';
import type { CliContext } from '../context.js';
import { UserError } from '../../errors.js';
import { databaseOption, formatOption } from '../options.js';
import { jsonDocument } from '../../render/json-document.js';

function parseSince(value: string): Date {
  const seconds = parseDuration(value);
  if (seconds !== undefined) return new Date(Date.now() - seconds * 1000);
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new InvalidArgumentError('expected a date (2026-11-01) or a duration (7d, 24h)');
  return date;
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

export function historyCommands(ctx: CliContext): Command[] {
  const history = new Command('history')
    .description('applied changes with time, actor, commit, PR, setting, before and after')
    .argument('[project]', 'only this project')
    .option('--since <when>', 'a date (2026-11-01) or a duration back from now (7d)', parseSince)
    .addOption(formatOption(['text', 'markdown', 'json', 'csv']))
    .addOption(databaseOption())
    .action(async (project: string | undefined, opts: { since?: Date; format: string; databaseUrl?: string }) => {
      const rows = await withDatabase(resolveDatabaseUrl(opts.databaseUrl), ({ db }) =>
        db
          .selectFrom('audit_log')
          .selectAll()
          .$if(project !== undefined, (q) => q.where('project_id', '=', project!))
          .$if(opts.since !== undefined, (q) => q.where('applied_at', '>=', opts.since!))
          .orderBy('id')
          .execute(),
      );
      const items = rows.map(
        (r): HistoryItem => ({
          id: String(r.id),
          time: new Date(r.applied_at).toISOString(),
          actor: r.actor,
          commit: r.git_commit,
          author: r.git_author,
          pr: r.pr_number,
          project: r.project_id,
          action: r.action,
          setting: settingKey(r.path, r.member),
          before: r.before,
          after: r.after,
          reason: r.reason,
          plan: r.plan_digest,
        }),
      );
      if (opts.format === 'json') return ctx.out(jsonDocument({ entries: items }));
      ctx.out(
        opts.format === 'csv'
          ? renderHistoryCsv(items)
          : opts.format === 'markdown'
            ? renderHistoryMarkdown(items)
            : renderHistoryText(items),
      );
    });

  const blame = new Command('blame')
    .description('for each current setting of a project, the apply (commit, PR, actor, time) that last set it')
    .argument('<project>')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (project: string, opts: { format: string; databaseUrl?: string }) => {
      const blamed = await withDatabase(resolveDatabaseUrl(opts.databaseUrl), ({ db }) => blameProject(db, project));
      if (!blamed) throw new UserError(`project "${project}" does not exist in the database`); // main escapes messages
      const subjects = new Map<string, string | undefined>();
      const lines = blamed.map((b): BlameLine => {
        const commit = b.setBy?.commit;
        if (commit && !subjects.has(commit)) subjects.set(commit, commitSubject(ctx.cwd, commit));
        return {
          setting: b.setting,
          value: b.value,
          setBy: b.setBy,
          subject: commit ? (subjects.get(commit) ?? null) : null,
          outsideGit: b.outsideGit,
        };
      });
      if (opts.format === 'json') return ctx.out(jsonDocument({ project, settings: lines }));
      ctx.out(renderBlameText(lines));
    });

  const admins = new Command('admins').description('project administrators');
  admins
    .command('logins')
    .description('login records of an administrator account (read-only)')
    .argument('<email>')
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
      if (opts.format === 'json') return ctx.out(jsonDocument({ email, logins: items }));
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
