// argosctl webhooks status|redrive: the outbox as the worker sees it, and a second chance for dead events.
import { Command, Option } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { UserError } from '../../errors.js';
import { jsonDocument } from '../../render/json-document.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import { redrive } from '../../webhooks/redrive.js';
import { webhookStatus, type WebhookStatus } from '../../webhooks/webhook-status.js';
import type { CliContext } from '../context.js';
import { actorName } from '../git-info.js';
import { databaseOption, formatOption } from '../options.js';

function describeStatus(s: WebhookStatus): string {
  const hook = s.webhook
    ? `${t(s.webhook.url)} (${s.webhook.events.map(t).join(', ')}; secret rotation ${s.webhook.secretRotation})`
    : 'no webhook declared: events wait';
  const lines = [
    `${t(s.project)}  ${hook}`,
    `  pending ${s.pending}  delivered ${s.delivered}  dead ${s.dead}` +
      (s.nextRetryAt ? `  next retry ${s.nextRetryAt}` : ''),
  ];
  for (const f of s.recentFailures) {
    const when = f.at ? `, last ${f.at}` : '';
    const state = f.dead ? 'dead' : 'failing';
    lines.push(`  event ${f.eventId}: ${state} after ${f.attempts} attempt(s)${when}: ${t(f.error)}`);
  }
  return lines.join('\n') + '\n';
}

export function webhooksCommand(ctx: CliContext): Command {
  const webhooks = new Command('webhooks').description(
    'webhook delivery: status of the outbox (pending, delivered, dead) and re-drive of dead events',
  );

  webhooks
    .command('status')
    .description('per project: pending, delivered and dead events, the next retry and the latest failures')
    .argument('[project]', 'only this project')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (project: string | undefined, opts: { databaseUrl?: string; format: 'text' | 'json' }) => {
      const rows = await withDatabase(resolveDatabaseUrl(opts.databaseUrl), ({ db }) => webhookStatus(db, project));
      if (opts.format === 'json') return ctx.out(jsonDocument('webhooks-status', { projects: rows }));
      ctx.out(rows.length ? rows.map(describeStatus).join('') : 'no project has a webhook or webhook events\n');
    });

  webhooks
    .command('redrive')
    .description('give dead events a fresh set of attempts, due now (one with --event, or --all-dead)')
    .argument('<project>', 'project id')
    .addOption(new Option('--event <id>', 'the event to send again (dead or still pending)').conflicts('allDead'))
    .addOption(new Option('--all-dead', 'every dead event of the project'))
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(
      async (
        project: string,
        opts: { event?: string; allDead?: boolean; databaseUrl?: string; format: 'text' | 'json' },
      ) => {
        if (!opts.event && !opts.allDead)
          throw new UserError(
            'say which events to re-drive',
            '--event ID (see `argosctl webhooks status`) or --all-dead',
          );
        const r = await withDatabase(resolveDatabaseUrl(opts.databaseUrl), ({ db }) =>
          redrive(db, project, opts.event ? { event: opts.event } : { allDead: true }, actorName(ctx.env)),
        );
        if (r.noWebhook)
          ctx.err(`warning: ${t(project)} has no webhook: the events wait until one is declared and applied\n`);
        if (opts.format === 'json')
          return ctx.out(jsonDocument('webhooks-redrive', { project, redriven: r.redriven, hasWebhook: !r.noWebhook }));
        ctx.out(
          r.redriven.length
            ? `${r.redriven.length} event(s) of ${t(project)} due again now: ${r.redriven.join(', ')}\n`
            : `${t(project)} has no dead event to re-drive\n`,
        );
      },
    );
  return webhooks;
}
