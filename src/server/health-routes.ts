// /healthz (the process answers), /readyz (database reachable and migrated), /metrics.
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { pendingMigrations } from '../db/connection.js';
import type { ServiceContext } from './app.js';
import { prunePassCounts, prunePassLines } from './prune-metrics.js';

export function healthRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.database.db);
      const pending = await pendingMigrations(ctx.database.db);
      if (pending.length)
        return reply.code(503).send({ ready: false, reason: `database needs migration(s): ${pending.join(', ')}` });
      return { ready: true };
    } catch {
      return reply.code(503).send({ ready: false, reason: 'database unreachable' });
    }
  });
  app.get('/metrics', async (_request, reply) => {
    let pruneLines: string[] = [];
    try {
      pruneLines = prunePassLines(await prunePassCounts(ctx.database.db));
    } catch {
      /* the database is down: the process counters still answer */
    }
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(ctx.metrics.render(pruneLines));
  });
}
