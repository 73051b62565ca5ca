// argosctl db migrate: create or upgrade the database schema. argosctl db roles: the SQL for a
// read-only plan role and an apply role without DDL.
import { Command, Option } from 'commander';
import { migrateToLatest, resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { checkRoleName, DEFAULT_APPLY_ROLE, DEFAULT_PLAN_ROLE, rolesSql } from '../../db/roles-sql.js';
import type { CliContext } from '../context.js';
import { UserError } from '../../errors.js';
import { databaseOption, formatOption } from '../options.js';
import { jsonDocument } from '../../render/json-document.js';
import { countClearKeys, sealClearKeys } from '../../keys/encryption-keys.js';
import { escapeTerminal } from '../../render/escape-terminal.js';
import { checkedMasterKey } from '../../keys/master-key-check.js';
import { masterKeySource, resolveMasterKey } from '../../keys/master-key.js';

export function dbCommand(ctx: CliContext): Command {
  const db = new Command('db').description('database schema management');
  db.command('migrate')
    .description('create or upgrade the database schema (automatic on the embedded database)')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (opts: { databaseUrl?: string; format: 'text' | 'json' }) => {
      const url = resolveDatabaseUrl(opts.databaseUrl);
      const applied = await withDatabase(
        url,
        async (database) => {
          const names = await migrateToLatest(database.db);
          // Encryption keys from before migration 005 are in clear: sealed here, where the master key is known.
          const clear = await countClearKeys(database.db);
          let sealed = 0;
          if (clear > 0) {
            try {
              sealed = await database.db.transaction().execute(async (tx) => {
                const masterKey = await checkedMasterKey(
                  tx,
                  () => resolveMasterKey(url, ctx.env, { generate: true }),
                  masterKeySource(url, ctx.env),
                );
                return sealClearKeys(tx, masterKey);
              });
            } catch (err) {
              if (!(err instanceof UserError)) throw err;
              ctx.err(
                `warning: ${clear} encryption key(s) are still stored in clear: ${escapeTerminal(err.message)}\n` +
                  `  ${escapeTerminal(err.hint ?? '')}; then run argosctl db migrate again (apply and keys rewrap seal them too)\n`,
              );
            }
          }
          return { names, url: database.displayUrl, sealed, clearLeft: clear - sealed };
        },
        { migrate: 'never' },
      );
      if (opts.format === 'json')
        return ctx.out(
          jsonDocument('db-migrate', {
            database: applied.url,
            applied: applied.names,
            sealedClearKeys: applied.sealed,
            clearKeysLeft: applied.clearLeft,
          }),
        );
      ctx.out(
        applied.names.length
          ? `Applied ${applied.names.length} migration(s) to ${applied.url}: ${applied.names.join(', ')}\n`
          : `${applied.url} is up to date.\n`,
      );
      if (applied.sealed)
        ctx.out(`Sealed ${applied.sealed} encryption key(s) that were stored in clear with the master key.\n`);
    });
  db.command('roles')
    .description('print the SQL (PostgreSQL) for a read-only role for plan/drift/history and an apply role without DDL')
    .addOption(new Option('--plan-role <name>', 'name of the read-only role').default(DEFAULT_PLAN_ROLE))
    .addOption(new Option('--apply-role <name>', 'name of the role that applies').default(DEFAULT_APPLY_ROLE))
    .addOption(formatOption(['text', 'json']))
    .action((opts: { planRole: string; applyRole: string; format: 'text' | 'json' }) => {
      const plan = checkRoleName(opts.planRole, '--plan-role');
      const apply = checkRoleName(opts.applyRole, '--apply-role');
      if (plan === apply)
        throw new UserError(
          '--plan-role and --apply-role must differ',
          'the plan role is read-only; the apply role writes',
        );
      const sql = rolesSql(plan, apply);
      if (opts.format === 'json') return ctx.out(jsonDocument('db-roles', { planRole: plan, applyRole: apply, sql }));
      ctx.out(sql);
    });
  return db;
}
