// JSON request bodies, parsed only as deep as a request of this service can be. No route takes a
// body nested more than a few levels, and JSON.parse of 1 MiB of `[[[[…]]]]` held the one event
// loop for 300–400 ms (a flat body of the same size: a tenth of that), for anyone, key or not. A
// linear scan refuses the deep ones first, at about 5 ms a MiB; the rest goes to Fastify's own
// parser (secure-json-parse, refusing __proto__ and constructor keys), as before.
import type { FastifyInstance } from 'fastify';
import { TokenError } from '../tokens/token-errors.js';

/** Deeper than any body of the service ({"params": {…}} is 2); a client's own wrapping still fits. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** True when `text` opens more than `max` arrays or objects inside each other (strings skipped). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return false;
}

/** Replaces Fastify's application/json parser with the same one behind the depth check. */
export function jsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (nestsDeeperThan(body as string, MAX_JSON_DEPTH))
      return done(
        new TokenError('invalid_payload', `the JSON body nests arrays and objects more than ${MAX_JSON_DEPTH} deep`),
        undefined,
      );
    parse(request, body as string, done);
  });
}
