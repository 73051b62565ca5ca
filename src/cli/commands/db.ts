// argosctl db migrate: create or upgrade the database schema. argosctl db roles: the SQL for a
// read-only plan role and an apply role without DDL.
import { Command, Option } from 'commander';
import { migrateToLatest, resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { checkRoleName, DEFAULT_APPLY_ROLE, DEFAULT_PLAN_ROLE, rolesSql } from '../../db/roles-sql.js';
import type { CliContext } from '../context.js';
import { UserError } from '../../errors.js';
import { databaseOption } from '../options.js';

export function dbCommand(ctx: CliContext): Command {
  const db = new Command('db').description('database schema management');
  db.command('migrate')
    .description('create or upgrade the database schema (automatic on the embedded database)')
    .addOption(databaseOption())
    .action(async (opts: { databaseUrl?: string }) => {
      const applied = await withDatabase(resolveDatabaseUrl(opts.databaseUrl), async (database) => {
        const names = await migrateToLatest(database.db);
        return { names, url: database.displayUrl };
      }, { migrate: 'never' });
      ctx.out(applied.names.length ? `Applied ${applied.names.length} migration(s) to ${applied.url}: ${applied.names.join(', ')}\n` : `${applied.url} is up to date.\n`);
    });
  db.command('roles')
    .description('print the SQL (PostgreSQL) for a read-only role for plan/drift/history and an apply role without DDL')
    .addOption(new Option('--plan-role <name>', 'name of the read-only role').default(DEFAULT_PLAN_ROLE))
    .addOption(new Option('--apply-role <name>', 'name of the role that applies').default(DEFAULT_APPLY_ROLE))
    .action((opts: { planRole: string; applyRole: string }) => {
      const plan = checkRoleName(opts.planRole, '--plan-role');
      const apply = checkRoleName(opts.applyRole, '--apply-role');
      if (plan === apply) throw new UserError('--plan-role and --apply-role must differ', 'the plan role is read-only; the apply role writes');
      ctx.out(rolesSql(plan, apply));
    });
  return db;
}
