// One JSON line per request: no secrets (no headers, no bodies, no query strings), and token IDs
// cut to a short prefix.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientAddressOf } from './client-address.js';
import { isoFromEpochMs } from '../util/iso-time.js';

export function tokenPrefix(tokenId: unknown): string | undefined {
  return typeof tokenId === 'string' && tokenId ? `${tokenId.slice(0, 4)}…` : undefined;
}

export function requestLogLine(request: FastifyRequest, reply: FastifyReply, ms: number): string {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
  const project = params.pid ?? body.pid;
  return JSON.stringify({
    time: isoFromEpochMs(Date.now()),
    method: request.method,
    route: request.routeOptions.url ?? 'unmatched',
    status: reply.statusCode,
    ms: Math.round(ms * 10) / 10,
    ip: clientAddressOf(request),
    ...(typeof project === 'string' ? { project: project.slice(0, 64) } : {}),
    ...(tokenPrefix(params.tokenId ?? body.token) ? { token: tokenPrefix(params.tokenId ?? body.token) } : {}),
  });
}
