// Per-client rate limits on the routes anyone may call without a key (OPEN_ROUTES), with
// @fastify/rate-limit: each route counts its own requests per client address (request.ip, which
// is the X-Forwarded-For client only behind --trust-proxy; an IPv6 address by its /64, see
// clientKeyOf) over a minute; past the limit, 429 {"code": "rate_limited"} with Retry-After.
// Counts live in this process (replicas count apart).
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { clientAddressOf, clientKeyOf } from './client-address.js';
import { OPEN_ROUTES, type ServiceLimits } from './service-limits.js';

export class RateLimited extends Error {
  readonly statusCode = 429;
  readonly code = 'rate_limited';
}

/** Call before the routes are declared: the limit is attached to each open route as it is added. */
export async function rateLimitOpenRoutes(app: FastifyInstance, limits: ServiceLimits): Promise<void> {
  if (limits.rateLimitPerMinute <= 0) return;
  const open = new Set(OPEN_ROUTES);
  app.addHook('onRoute', (route) => {
    if (open.has(route.url))
      route.config = { ...route.config, rateLimit: { max: limits.rateLimitPerMinute, timeWindow: 60_000 } };
  });
  await app.register(rateLimit, {
    global: false,
    keyGenerator: (request) => clientKeyOf(clientAddressOf(request)),
    errorResponseBuilder: (_request, context) =>
      new RateLimited(`more than ${context.max} requests a minute from this address; retry in ${context.after}`),
  });
}
