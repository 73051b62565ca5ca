// Secure transmission on requests (docs/secure-transmission.md): a Token API request with a body,
// for a project that has secure transmission on, must send that body sealed for the project's
// service key (content type application/vnd.argos.sealed+json); it is opened here, once the API key
// is checked (before the body is read: body-gate.ts) and before validation, so the route sees the JSON it always sees. A body in clear is
// refused (`transmission_required`); the answer to a keyed sealed request, errors included, leaves
// sealed; a wrong or missing key is the one clear 401 of every unknown caller. The
// keys and the opening live in src/transmit/service-key.ts; this only wires them into Fastify.
import type { FastifyInstance } from 'fastify';
import { TokenError } from '../tokens/token-errors.js';
import { openRequestBody } from '../transmit/service-key.js';
import { keyBeforeBody } from './body-gate.js';
import { keptKeyedRow } from './project-access.js';
import type { ServiceContext } from './app.js';
import { SEALED_CONTENT_TYPE, sealAllAnswersFor } from './sealed-responses.js';

/** A body that arrived sealed, not yet opened. */
class SealedBody {
  constructor(readonly text: string) {}
}

export function sealedRequests(app: FastifyInstance, ctx: ServiceContext): void {
  app.addContentTypeParser(SEALED_CONTENT_TYPE, { parseAs: 'string' }, (_request, body, done) =>
    done(null, new SealedBody(String(body))),
  );
  app.addHook('preValidation', async (request) => {
    const pid = (request.params as { pid?: unknown } | undefined)?.pid;
    const body = request.body;
    if (typeof pid !== 'string' || body === undefined || body === null) return; // no body: nothing to open
    const sealed = body instanceof SealedBody;
    // The key was checked before the body was read (body-gate.ts); after a slow body, or a body Fastify
    // read anyway, it is checked again now, on a fresh row the route then uses.
    const row = keptKeyedRow(request) ?? (await keyBeforeBody(ctx, request, pid));
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
}
