// argosctl db migrate: create or upgrade the database schema.
import { Command } from 'commander';
import { migrateToLatest, resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import type { CliContext } from '../context.js';
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
  return db;
}
