// The Token API: /v1/projects/{pid}/tokens. Each route authorizes the caller, then calls the
// core the CLI's `tokens` commands call (src/tokens/token-requests.ts, token-store.ts), which
// holds every check (CLOSE, limits, the cap), so both faces refuse alike with the same codes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { deleteRequest, importTokens } from '../tokens/token-requests.js';
import { countTokens, getToken, listTokens, registerTokenRequest } from '../tokens/token-store.js';
import type { ServiceContext } from './app.js';
import { authorize } from './project-access.js';
import { sealResponseFor } from './sealed-responses.js';
import { noteKeyedCall } from './traffic-notes.js';
import { countSchema, deleteSchema, getSchema, importSchema, listSchema, registerSchema } from './schemas.js';

type Pid = { pid: string };

export function tokenRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const db = ctx.database.db;
  const access = async (request: FastifyRequest<{ Params: Pid }>) => {
    const key = request.headers['x-api-key'];
    const apiKey = typeof key === 'string' ? key : undefined;
    const pid = request.params.pid;
    const granted = await authorize(db, pid, request.ip, apiKey, ctx.now(), (rotation) =>
      noteKeyedCall(request, pid, rotation),
    );
    sealResponseFor(request, granted.sealTo);
    return granted;
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
