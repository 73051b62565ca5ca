// Secure data transmission on the Token API (docs/secure-transmission.md): when the project has
// it on, every successful response body leaves as a sealed envelope for the project's public key,
// whatever the client asks for. Errors stay in clear for a request sent in clear (a client must be
// able to read why it was refused); for a request sent sealed (sealed-requests.ts) they are sealed
// too. The route marks the request once it knows the project; this hook seals at the last moment,
// after the body was serialized.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SEALED_CONTENT_TYPE, sealForProject } from '../transmit/seal-for-project.js';

export { SEALED_CONTENT_TYPE };

const sealTo = new WeakMap<FastifyRequest, string>();
/** Requests whose answers are sealed whatever their status (the request itself came sealed). */
const sealEverything = new WeakSet<FastifyRequest>();

/** After authorization: seal this request's successful answer for `publicKeyPem` (null: in clear). */
export function sealResponseFor(request: FastifyRequest, publicKeyPem: string | null): void {
  if (publicKeyPem) sealTo.set(request, publicKeyPem);
}

/** A sealed request: its answer is sealed for `publicKeyPem` whatever the status, errors included. */
export function sealAllAnswersFor(request: FastifyRequest, publicKeyPem: string | null): void {
  if (!publicKeyPem) return;
  sealTo.set(request, publicKeyPem);
  sealEverything.add(request);
}

export function sealedResponses(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const pem = sealTo.get(request);
    if (
      !pem ||
      ((reply.statusCode < 200 || reply.statusCode > 299) && !sealEverything.has(request)) ||
      (typeof payload !== 'string' && !Buffer.isBuffer(payload))
    )
      return payload;
    // A key that cannot seal (stored before the key rule) throws: the error handler answers 500,
    // never the body in clear.
    const sealed = sealForProject(pem, payload);
    reply.header('content-type', SEALED_CONTENT_TYPE);
    return sealed;
  });
}
