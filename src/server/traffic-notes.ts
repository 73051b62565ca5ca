// What a route learned about a request for the traffic facts (its project, the key generation,
// the admission's kind), carried on the request until the response hook counts it. A request
// whose project is not established (an unknown project, a wrong key) is not counted.
import type { FastifyRequest } from 'fastify';
import { clientAddressOf } from './client-address.js';
import type { TrafficFact } from './traffic-counter.js';
import { ipv4Of } from './project-access.js';

export type TrafficNote = Omit<TrafficFact, 'route' | 'outcome'> & { outcome?: string };
type Noted = FastifyRequest & { trafficNote?: TrafficNote; trafficOutcome?: string };

/** The address kept for a keyed call: plain IPv4 (`::ffff:1.2.3.4` is 1.2.3.4), or as it came. */
function callerOf(address: string): string {
  return ipv4Of(address)?.replace(/\/32$/, '') ?? address;
}

/** A call made with the project's API key: the caller is the customer's server, so its address is kept. */
export function noteKeyedCall(request: FastifyRequest, projectId: string, keyRotation: number): void {
  (request as Noted).trafficNote = {
    projectId,
    keyRotation,
    caller: callerOf(clientAddressOf(request)),
  };
}

/** A Liveform admission: from an end user's browser, whose address is never kept. */
export function noteAdmission(request: FastifyRequest, note: Omit<TrafficNote, 'caller' | 'keyRotation'>): void {
  (request as Noted).trafficNote = note;
}

/** The refusal code the error handler answered with. */
export function noteOutcome(request: FastifyRequest, code: string): void {
  (request as Noted).trafficOutcome = code;
}

export function trafficFactOf(request: FastifyRequest, route: string, status: number): TrafficFact | undefined {
  const { trafficNote: note, trafficOutcome } = request as Noted;
  if (!note) return undefined;
  const outcome = note.outcome ?? trafficOutcome ?? (status < 400 ? 'ok' : `http_${status}`);
  return { ...note, route, outcome };
}

/** The method of an `encrypted` URL parameter, from its prefix (the value is not opened here). */
export function encryptionOf(encrypted: string | undefined): TrafficFact['encryption'] {
  if (encrypted === undefined) return 'plain';
  const prefix = encrypted.slice(0, 4).toLowerCase();
  return prefix === 'gcm.' ? 'GCM' : prefix === 'ecb.' ? 'ECB' : '(other)';
}
