// Who may call the backend side of Liveform: `/v1/liveform/check` (a dry-run question about a
// token) and `/v1/liveform/sessions/{id}/complete` (a session's result) need the project's API
// key (x-api-key, as the Token API), from the customer's backend or its reviewers: the end user's
// browser holds no key, and without one /check was an oracle for token IDs and /complete let
// whoever held a session id set its result. `/start` stays open to browsers (rate-limited).
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { ServiceContext } from './app.js';
import { authorize } from './project-access.js';
import { noteKeyedCall } from './traffic-notes.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function apiKeyOf(request: FastifyRequest): string | undefined {
  const key = request.headers['x-api-key'];
  return typeof key === 'string' ? key : undefined;
}

/** /check: the key of the project named in the body. */
export function keyOfBodyProject(ctx: ServiceContext): preHandlerAsyncHookHandler {
  return async (request) => {
    const { pid } = request.body as { pid: string };
    await authorize(ctx.database.db, pid, request.ip, apiKeyOf(request), ctx.now(), (rotation) =>
      noteKeyedCall(request, pid, rotation),
    );
  };
}

/**
 * /complete: the key of the project the session belongs to. An unknown session id answers the
 * same 401 as a wrong key (the check runs against a project that cannot exist), so session ids
 * cannot be probed without a key either.
 */
export function keyOfSessionProject(ctx: ServiceContext): preHandlerAsyncHookHandler {
  return async (request) => {
    const { sessionId } = request.params as { sessionId: string };
    const row = UUID.test(sessionId)
      ? await ctx.database.db
          .selectFrom('liveform_sessions')
          .select('project_id')
          .where('id', '=', sessionId)
          .executeTakeFirst()
      : undefined;
    const pid = row?.project_id ?? '';
    await authorize(ctx.database.db, pid, request.ip, apiKeyOf(request), ctx.now(), (rotation) =>
      noteKeyedCall(request, pid, rotation),
    );
  };
}
