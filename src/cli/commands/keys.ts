// argosctl keys list|reveal: the project's API keys by fingerprint, and the one reveal of a new key.
import { Command } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { listApiKeys, revealApiKey } from '../../keys/api-key.js';
import { listWebhookSecrets, revealWebhookSecret } from '../../webhooks/webhook-secret.js';
import { resolveMasterKey } from '../../keys/master-key.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import type { CliContext } from '../context.js';
import { UserError } from '../../errors.js';
import { actorName } from '../git-info.js';
import { databaseOption, formatOption } from '../options.js';

type Opts = { databaseUrl?: string; format: 'text' | 'json' };
const SECRETS = ['api-key', 'webhook-secret'];

export function keysCommand(ctx: CliContext): Command {
  const keys = new Command('keys').description('secret material issued at apply: list by fingerprint, reveal once');
  keys.command('list')
    .description('a project\'s API keys and webhook secrets: rotation, fingerprint, validity, reveal record (never the secret)')
    .argument('<project>').addOption(formatOption(['text', 'json'])).addOption(databaseOption())
    .action(async (project: string, opts: Opts) => {
      const [rows, webhookSecrets] = await withDatabase(resolveDatabaseUrl(opts.databaseUrl),
        ({ db }) => Promise.all([listApiKeys(db, project), listWebhookSecrets(db, project)]));
      if (opts.format === 'json') {
        return ctx.out(JSON.stringify({ formatVersion: 1, project, apiKeys: rows, webhookSecrets }, null, 2) + '\n');
      }
      if (!rows.length) ctx.out(`${t(project)}: no API key\n`);
      ctx.out(rows.map((k) => `api-key rotation ${k.rotation}  ${k.fingerprint}  ${k.validUntil ? `valid until ${k.validUntil}` : 'current'}  `
        + `${k.revealed ? `revealed ${k.revealed.at} by ${t(k.revealed.by)}` : k.revealable ? 'not revealed yet' : 'not revealable'}\n`).join(''));
      ctx.out(webhookSecrets.map((s) => `webhook-secret rotation ${s.rotation}  ${s.fingerprint}  `
        + `${s.validUntil ? `signs until ${s.validUntil}` : 'current'}  `
        + `${s.revealed ? `revealed ${s.revealed.at} by ${t(s.revealed.by)}` : 'not revealed yet'}\n`).join(''));
    });
  keys.command('reveal').description('print a newly issued secret once (audited); the sealed copy is then destroyed')
    .argument('<project>').argument('<secret>', `which secret: ${SECRETS.join(', ')}`).addOption(databaseOption())
    .action(async (project: string, secret: string, opts: { databaseUrl?: string }) => {
      if (!SECRETS.includes(secret)) throw new UserError(`unknown secret "${secret}"`, `one of: ${SECRETS.join(', ')}`);
      const url = resolveDatabaseUrl(opts.databaseUrl);
      const masterKey = () => resolveMasterKey(url, ctx.env);
      if (secret === 'webhook-secret') {
        const w = await withDatabase(url, ({ db }) => revealWebhookSecret(db, project, actorName(ctx.env), masterKey));
        ctx.err(`webhook signing secret of ${t(project)}, rotation ${w.rotation} (${w.fingerprint}); `
          + 'shown once, store it with the receiver now:\n');
        return ctx.out(`${w.secret}\n`);
      }
      const r = await withDatabase(url, ({ db }) => revealApiKey(db, project, actorName(ctx.env), masterKey));
      ctx.err(`API key of ${t(project)}, rotation ${r.rotation} (${r.fingerprint}); shown once, store it now:\n`);
      ctx.out(`${r.key}\n`);
    });
  return keys;
}
