// JSON request bodies, parsed only when shaped like a request of this service can be. No route
// takes a body nested more than a few levels or holding more than a few arrays and objects, and
// JSON.parse's cost grows with them: 1 MiB of `[[[[…]]]]` held the one event loop 300–400 ms, and
// 1 MiB of `[[]],[[]],…` (shallow, but half a million arrays) 115–170 ms. A linear scan refuses
// such bodies first (about 5 ms a MiB); the rest goes to Fastify's own parser (secure-json-parse,
// refusing __proto__ and constructor keys), as before. A flat body of strings or numbers still
// costs what JSON.parse costs for its size: what bounds that is body-gate.ts (whose bodies are
// read at all) and each route's body limit.
import type { FastifyInstance } from 'fastify';
import { TokenError } from '../tokens/token-errors.js';

/** Deeper than any body of the service ({"params": {…}} is 2); a client's own wrapping still fits. */
export const MAX_JSON_DEPTH = 32;
/** Arrays and objects in one body: a request of this service holds a handful. */
export const MAX_JSON_CONTAINERS = 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** What is wrong with the shape of `text` (arrays and objects too deep or too many; strings skipped), if anything. */
export function jsonShapeProblem(text: string, maxDepth = MAX_JSON_DEPTH, maxContainers = MAX_JSON_CONTAINERS) {
  let depth = 0;
  let containers = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) return `the JSON body nests arrays and objects more than ${maxDepth} deep`;
      if (++containers > maxContainers)
        return `the JSON body holds more than ${maxContainers.toLocaleString('en')} arrays and objects`;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return undefined;
}

/** Replaces Fastify's application/json parser with the same one behind the shape check. */
export function jsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const problem = jsonShapeProblem(body as string);
    if (problem) return done(new TokenError('invalid_payload', problem), undefined);
    parse(request, body as string, done);
  });
}
