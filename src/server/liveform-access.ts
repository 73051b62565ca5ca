// Who may call the backend side of Liveform: `/v1/liveform/check` (a dry-run question about a
// token) and `/v1/liveform/sessions/{id}/complete` (a session's result) need the project's API
// key (x-api-key, as the Token API), from the customer's backend or its reviewers: the end user's
// browser holds no key, and without one /check was an oracle for token IDs and /complete let
// whoever held a session id set its result. `/start` stays open to browsers (rate-limited).
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { ProjectGate, WriteGate } from '../tokens/token-store.js';
import type { ServiceContext } from './app.js';
import { clientAddressOf } from './client-address.js';
import {
  ACCESS_COLUMNS,
  checkAccess,
  grantedSql,
  withKeyHash,
  type AccessRequest,
  type AccessRow,
} from './project-access.js';
import { noteKeyedCall } from './traffic-notes.js';

export function apiKeyOf(request: FastifyRequest): string | undefined {
  const key = request.headers['x-api-key'];
  return typeof key === 'string' ? key : undefined;
}

/** What the caller of a keyed route presents for project `pid` (the Token API's routes and Liveform's). */
export function accessOf(ctx: ServiceContext, request: FastifyRequest, pid: string): AccessRequest {
  return {
    projectId: pid,
    clientIp: clientAddressOf(request),
    apiKey: apiKeyOf(request),
    now: ctx.now(),
    onKeyAccepted: (rotation) => noteKeyedCall(request, pid, rotation),
  };
}

/** /check: the key of the project named in the body, read in the statement that reads the facts. */
export function keyOfBodyProject(ctx: ServiceContext, request: FastifyRequest): ProjectGate {
  const { pid } = request.body as { pid: string };
  return {
    columns: ACCESS_COLUMNS,
    check: (row) => {
      checkAccess(row as AccessRow | undefined, accessOf(ctx, request, pid));
    },
  };
}

/**
 * /complete: the key of the project the session belongs to, checked by the statement that completes
 * the session (one round trip; it writes only for a caller that passes). An unknown or malformed
 * session id answers the same 401 as a wrong key (no project row: the key is compared against
 * hashes that match nothing), so session ids cannot be probed without a key either.
 */
export function keyOfSessionProject(ctx: ServiceContext, request: FastifyRequest): WriteGate {
  const keyed = withKeyHash(accessOf(ctx, request, ''));
  return {
    columns: sql`${ACCESS_COLUMNS}, p.id as access_project`,
    granted: grantedSql(keyed),
    check: (row) => {
      const r = row as (AccessRow & { access_project: string }) | undefined;
      const projectId = r?.access_project ?? '';
      checkAccess(r, {
        ...keyed,
        projectId,
        onKeyAccepted: (rotation) => noteKeyedCall(request, projectId, rotation),
      });
    },
  };
}
