// argosctl check PROJECT [--token T] [--param k=v…] [--ip A]: would the Liveform admit this now?
// The same decision as POST /v1/liveform/check; nothing is written. Exit 0 admitted, 3 refused.
import { jsonDocument } from '../../render/json-document.js';
import { Command, InvalidArgumentError } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import { checkAdmission } from '../../tokens/admission.js';
import { resolveMasterKey } from '../../keys/master-key.js';
import type { CliContext } from '../context.js';
import { ExitCode } from '../../errors.js';
import { databaseOption, formatOption } from '../options.js';

function parseParam(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError('expected key=value');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function checkCommand(ctx: CliContext): Command {
  return new Command('check')
    .description(
      'dry-run Liveform admission: would "Start Authentication" be admitted now? (writes nothing; exit 3 when refused)',
    )
    .argument('<project>', 'project id')
    .option('--token <tokenId>', 'the Liveform token')
    .option('--param <key=value>', 'a plain URL parameter (repeatable)', parseParam, {} as Record<string, string>)
    .option(
      '--encrypted <data>',
      "the encrypted URL parameter (docs/url-encryption.md); opened with the project's keys",
    )
    .option('--ip <address>', 'the client address')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(
      async (
        project: string,
        opts: {
          token?: string;
          param: Record<string, string>;
          encrypted?: string;
          ip?: string;
          format: string;
          databaseUrl?: string;
        },
      ) => {
        const params = Object.keys(opts.param).length ? opts.param : undefined;
        const url = resolveDatabaseUrl(opts.databaseUrl);
        const d = await withDatabase(url, ({ db }) =>
          checkAdmission(db, {
            projectId: project,
            tokenId: opts.token,
            params,
            encrypted: opts.encrypted,
            clientIp: opts.ip,
            masterKey: () => resolveMasterKey(url, ctx.env),
          }),
        );
        const doc = d.admitted
          ? { admitted: true, expiresAt: d.expiresAt, dryRun: true }
          : { admitted: false, code: d.code, message: d.message, dryRun: true };
        if (opts.format === 'json') ctx.out(jsonDocument('check', doc));
        else
          ctx.out(
            d.admitted
              ? `admitted${d.expiresAt ? ` (token valid until ${d.expiresAt})` : ''}; dry run, nothing written\n`
              : `refused [${d.code}]: ${t(d.message)}\n`,
          );
        if (!d.admitted) throw new ExitCode(3);
      },
    );
}
