// The Token API: /v1/projects/{pid}/tokens. Each route authorizes the caller, then calls the
// token store core that the CLI's `tokens` commands call, with the same limits and codes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TokenError } from '../tokens/token-errors.js';
import {
  countTokens,
  deleteOldestTokens,
  deleteTokens,
  getToken,
  listTokens,
  registerTokenRequest,
} from '../tokens/token-store.js';
import type { ServiceContext } from './app.js';
import { authorize, refuseWritesWhenClosed } from './project-access.js';
import { sealResponseFor } from './sealed-responses.js';
import { countSchema, deleteSchema, getSchema, listSchema, registerSchema } from './schemas.js';

type Pid = { pid: string };

export function tokenRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const db = ctx.database.db;
  const access = async (request: FastifyRequest<{ Params: Pid }>) => {
    const key = request.headers['x-api-key'];
    const apiKey = typeof key === 'string' ? key : undefined;
    const granted = await authorize(db, request.params.pid, request.ip, apiKey, ctx.now());
    sealResponseFor(request, granted.sealTo);
    return granted;
  };

  app.post<{ Params: Pid; Body: { tokenIds: string[] } }>(
    '/v1/projects/:pid/tokens',
    { schema: registerSchema },
    async (request) => {
      refuseWritesWhenClosed(await access(request), request.params.pid);
      const result = await registerTokenRequest(db, request.params.pid, request.body.tokenIds);
      ctx.metrics.tokensRegistered.inc({}, request.body.tokenIds.length);
      return result;
    },
  );

  app.delete<{ Params: Pid; Querystring: { oldest?: string }; Body: { tokenIds?: string[] } | null }>(
    '/v1/projects/:pid/tokens',
    { schema: deleteSchema },
    async (request) => {
      refuseWritesWhenClosed(await access(request), request.params.pid);
      const ids = request.body?.tokenIds;
      const oldest = request.query.oldest;
      if ((ids === undefined) === (oldest === undefined))
        throw new TokenError('invalid_payload', 'give {"tokenIds": [...]} in the body or ?oldest=N, not both');
      const deleted =
        oldest !== undefined
          ? await deleteOldestTokens(db, request.params.pid, Number(oldest))
          : await deleteTokens(db, request.params.pid, ids!);
      return { deleted };
    },
  );

  app.get<{ Params: Pid; Querystring: { after?: string; limit?: string } }>(
    '/v1/projects/:pid/tokens',
    { schema: listSchema },
    async (request) => {
      await access(request);
      const { after, limit } = request.query;
      return listTokens(db, request.params.pid, {
        after,
        limit: limit === undefined ? undefined : Number(limit),
        now: ctx.now(),
      });
    },
  );

  app.get<{ Params: Pid }>('/v1/projects/:pid/tokens/count', { schema: countSchema }, async (request) => {
    await access(request);
    return countTokens(db, request.params.pid);
  });

  app.get<{ Params: Pid & { tokenId: string } }>(
    '/v1/projects/:pid/tokens/:tokenId',
    { schema: getSchema },
    async (request) => {
      await access(request);
      return getToken(db, request.params.pid, request.params.tokenId, ctx.now());
    },
  );
}
