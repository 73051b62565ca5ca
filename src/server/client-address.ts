// The caller's address, worked out once per request. Behind --trust-proxy Fastify's `request.ip`
// parses X-Forwarded-For again on every read, and a request reads it up to five times (connection
// limits, rate limit, whitelist, traffic facts, request log).
import type { FastifyRequest } from 'fastify';

const ADDRESS = Symbol('client address');
type WithAddress = FastifyRequest & { [ADDRESS]?: string };

export function clientAddressOf(request: FastifyRequest): string {
  const noted = request as WithAddress;
  return (noted[ADDRESS] ??= request.ip);
}
