// Secure transmission on requests (docs/secure-transmission.md): a Token API request with a body,
// for a project that has secure transmission on, must send that body sealed for the project's
// service key (content type application/vnd.argos.sealed+json); it is opened here, once the API key
// is checked (before the body is even parsed) and before validation, so the route sees the JSON it always sees. A body in clear is
// refused (`transmission_required`); the answer to a keyed sealed request, errors included, leaves
// sealed; a wrong or missing key is the one clear 401 of every unknown caller. The
// keys and the opening live in src/transmit/service-key.ts; this only wires them into Fastify.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PROJECT_ID_PATTERN } from '../model/project-id.js';
import { TokenError } from '../tokens/token-errors.js';
import { openRequestBody } from '../transmit/service-key.js';
import { accessOf } from './liveform-access.js';
import { checkKey, keepKeyedRow, keptKeyedRow, readAccessRow, type AccessRow } from './project-access.js';
import type { ServiceContext } from './app.js';
import { SEALED_CONTENT_TYPE, sealAllAnswersFor } from './sealed-responses.js';

/** A body that arrived sealed, not yet opened. */
class SealedBody {
  constructor(readonly text: string) {}
}

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

export function sealedRequests(app: FastifyInstance, ctx: ServiceContext): void {
  app.addContentTypeParser(SEALED_CONTENT_TYPE, { parseAs: 'string' }, (_request, body, done) =>
    done(null, new SealedBody(String(body))),
  );
  // The key before the body is read: a caller without it gets the one 401 of an unknown project
  // (same-401.ts) with no byte of its body parsed (a body is up to --body-limit, and parsing it was
  // the work a caller without a key could make the service do), never whether this project exists
  // or uses secure transmission (415, transmission_invalid and a sealed answer all told it).
  // A callback hook: most requests (no path project, or no body) pass without a promise of their own.
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const pid = (request.params as { pid?: unknown } | undefined)?.pid;
    if (typeof pid !== 'string' || !carriesBody(request)) return done(null, payload);
    // The path parameter is validated after the body; a malformed one must not reach the database first.
    if (!PROJECT_ID.test(pid)) return done(new TokenError('invalid_payload', 'params/pid is not a project id'));
    keyBeforeBody(request, pid).then(
      () => done(null, payload),
      (error: Error) => done(error),
    );
  });
  app.addHook('preValidation', async (request) => {
    const pid = (request.params as { pid?: unknown } | undefined)?.pid;
    const body = request.body;
    if (typeof pid !== 'string' || body === undefined || body === null) return; // no body: nothing to open
    const sealed = body instanceof SealedBody;
    const row = keptKeyedRow(request) ?? (await keyBeforeBody(request, pid));
    if (!row.access_secure_transmission) {
      if (sealed)
        throw new TokenError(
          'transmission_invalid',
          `project "${pid}" does not use secure transmission: send the JSON body in clear`,
        );
      return;
    }
    if (!sealed)
      throw new TokenError(
        'transmission_required',
        `project "${pid}" uses secure transmission: the request body must be sealed for its service key ` +
          `and sent as ${SEALED_CONTENT_TYPE}`,
        `argosctl transmit service-key ${pid} prints the key; argosctl transmit seal --project ${pid} --service-key seals`,
      );
    // From here the caller spoke sealed: every answer, refusals included, goes back sealed.
    sealAllAnswersFor(request, row.access_seal_to);
    const plaintext = await openRequestBody(ctx.database.db, pid, body.text, ctx.masterKey);
    try {
      request.body = JSON.parse(plaintext.toString('utf8'));
    } catch {
      throw new TokenError('invalid_payload', 'the opened request body is not JSON');
    }
  });

  /** The project's access row, its key checked; kept for the route, which checks the rest on it (project-access.ts). */
  async function keyBeforeBody(request: FastifyRequest, pid: string): Promise<AccessRow> {
    const row = await readAccessRow(ctx.database.db, pid);
    checkKey(row, accessOf(ctx, request, pid));
    keepKeyedRow(request, row);
    return row;
  }
}
