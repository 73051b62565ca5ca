// What must hold before a request's body is read. Parsing a body is the most work a caller can
// make the service do before anything is known about them (JSON.parse of 1 MiB takes 100–400 ms
// depending on its shape), so it is done only for a request that a route takes, within that
// route's size, and, on the Token API, from a caller whose key is valid for the project in the path.
// Everyone else is answered from the headers, and the connection is closed so that the unread body
// is not taken in either. Liveform's /start, /check and /complete carry their key in the body (or
// find it from it): their small bodies (96 KiB, 1 KiB) are read before any key is checked.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PROJECT_ID_PATTERN } from '../model/project-id.js';
import { TokenError } from '../tokens/token-errors.js';
import type { ServiceContext } from './app.js';
import { accessOf } from './liveform-access.js';
import { checkKey, keepKeyedRow, readAccessRow, type AccessRow } from './project-access.js';
import { continueIfAwaited } from './timeouts.js';

/**
 * Whether Fastify reads a body for this request (the test it makes itself: never for GET and HEAD,
 * else a Content-Length over 0 or a chunked body).
 */
function carriesBody(request: FastifyRequest): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return false;
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

const PROJECT_ID = new RegExp(PROJECT_ID_PATTERN);

/** The parser's own answer to a body over the limit, given before reading it. */
class DeclaredTooLarge extends Error {
  readonly statusCode = 413;
}

/** The project's access row with the caller's key checked, kept for the route (which checks the rest on it). */
export async function keyBeforeBody(ctx: ServiceContext, request: FastifyRequest, pid: string): Promise<AccessRow> {
  const row = await readAccessRow(ctx.database.db, pid);
  checkKey(row, accessOf(ctx, request, pid));
  keepKeyedRow(request, row);
  return row;
}

export function bodyGate(app: FastifyInstance, ctx: ServiceContext): void {
  // A callback hook: requests without a body pass without a promise of their own.
  app.addHook('preParsing', (request, reply, payload, done) => {
    if (!carriesBody(request)) return done(null, payload);
    // The body may be read: a client that asked to be told so (Expect: 100-continue) is told now.
    const pass = () => {
      continueIfAwaited(request.raw, reply.raw);
      done(null, payload);
    };
    const refuse = (error: Error) => {
      reply.header('connection', 'close');
      done(error);
    };
    // A path no route takes (another method, a typo): its 404 needs no body.
    if (request.is404)
      return refuse(
        new TokenError('not_found', `no route ${request.method} ${request.url.split('?')[0].slice(0, 100)}`),
      );
    const length = Number(request.headers['content-length']);
    if (length > request.routeOptions.bodyLimit) return refuse(new DeclaredTooLarge('request body too large'));
    const pid = (request.params as { pid?: unknown } | undefined)?.pid;
    if (typeof pid !== 'string') return pass();
    // The path parameter is validated after the body; a malformed one must not reach the database first.
    if (!PROJECT_ID.test(pid)) return refuse(new TokenError('invalid_payload', 'params/pid is not a project id'));
    keyBeforeBody(ctx, request, pid).then(pass, refuse);
  });
}
