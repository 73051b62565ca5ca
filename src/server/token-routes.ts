// The Token API: /v1/projects/{pid}/tokens. Each route authorizes the caller (a write route in a
// round trip of its own before it writes, a read route in its one statement), then calls the core
// the CLI's `tokens` commands call (src/tokens/token-requests.ts, token-store.ts), which holds
// every check (CLOSE, limits, the cap), so both faces refuse alike with the same codes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { deleteRequest, importTokens } from '../tokens/token-requests.js';
import {
  countTokens,
  getToken,
  listTokens,
  registerTokenRequest,
  type ProjectGate,
  type WriteGate,
} from '../tokens/token-store.js';
import type { ServiceContext } from './app.js';
import { accessOf } from './liveform-access.js';
import { ACCESS_COLUMNS, authorize, checkAccess, grantedSql, withKeyHash, type AccessRow } from './project-access.js';
import { sealResponseFor } from './sealed-responses.js';
import { countSchema, deleteSchema, getSchema, importSchema, listSchema, registerSchema } from './schemas.js';

type Pid = { pid: string };

export function tokenRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const db = ctx.database.db;
  const access = async (request: FastifyRequest<{ Params: Pid }>) => {
    const granted = await authorize(db, accessOf(ctx, request, request.params.pid), request);
    sealResponseFor(request, granted.sealTo);
    return granted;
  };
  // The read routes: authorization read in the route's own statement (one round trip), checked
  // before anything of the answer is used.
  const gate = (
    request: FastifyRequest<{ Params: Pid }>,
    access = accessOf(ctx, request, request.params.pid),
  ): ProjectGate => ({
    columns: ACCESS_COLUMNS,
    check: (row) => sealResponseFor(request, checkAccess(row as AccessRow | undefined, access).sealTo),
  });
  // The list route's page is up to 10,000 tokens: the statement builds it only for a caller its SQL
  // twin of the check grants, so a caller without the key costs what a /count 401 costs, and its
  // answer takes no longer for a project with tokens than for none.
  const guardedGate = (request: FastifyRequest<{ Params: Pid }>): WriteGate => {
    const access = withKeyHash(accessOf(ctx, request, request.params.pid));
    return { ...gate(request, access), granted: grantedSql(access) };
  };

  app.post<{ Params: Pid; Body: { tokenIds: string[] } }>(
    '/v1/projects/:pid/tokens',
    { schema: registerSchema },
    async (request) => {
      await access(request);
      const result = await registerTokenRequest(db, request.params.pid, request.body.tokenIds);
      ctx.metrics.tokensRegistered.inc({}, request.body.tokenIds.length);
      return result;
    },
  );

  app.post<{ Params: Pid; Body: { file?: string; content: string } }>(
    '/v1/projects/:pid/tokens/import',
    { schema: importSchema },
    async (request) => {
      await access(request);
      const { file, content } = request.body;
      const result = await importTokens(db, request.params.pid, file ?? 'upload.txt', content);
      ctx.metrics.tokensRegistered.inc({}, result.ids);
      return result;
    },
  );

  app.delete<{ Params: Pid; Querystring: { oldest?: string }; Body: { tokenIds?: string[] } | null }>(
    '/v1/projects/:pid/tokens',
    { schema: deleteSchema },
    async (request) => {
      await access(request);
      const oldest = request.query.oldest;
      return deleteRequest(db, request.params.pid, {
        ids: request.body?.tokenIds,
        oldest: oldest === undefined ? undefined : Number(oldest),
      });
    },
  );

  app.get<{ Params: Pid; Querystring: { after?: string; limit?: string } }>(
    '/v1/projects/:pid/tokens',
    { schema: listSchema },
    async (request) => {
      const { after, limit } = request.query;
      return listTokens(
        db,
        request.params.pid,
        { after, limit: limit === undefined ? undefined : Number(limit), now: ctx.now() },
        guardedGate(request),
      );
    },
  );

  app.get<{ Params: Pid }>('/v1/projects/:pid/tokens/count', { schema: countSchema }, async (request) => {
    return countTokens(db, request.params.pid, gate(request));
  });

  app.get<{ Params: Pid & { tokenId: string } }>(
    '/v1/projects/:pid/tokens/:tokenId',
    { schema: getSchema },
    async (request) => {
      return getToken(db, request.params.pid, request.params.tokenId, ctx.now(), gate(request));
    },
  );
}
