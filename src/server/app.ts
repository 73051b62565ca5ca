// The HTTP face of argosctl: Fastify routes that validate input (the project's ajv), call the
// same core functions as the CLI, and shape replies. It holds no rule of its own.
import { Ajv } from 'ajv';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Database } from '../db/connection.js';
import { ProjectFactsCache } from '../tokens/admission.js';
import { TokenError } from '../tokens/token-errors.js';
import { resolveMasterKey } from '../keys/master-key.js';
import { plainMessage, sendError } from './http-errors.js';
import { healthRoutes } from './health-routes.js';
import { liveformRoutes } from './liveform-routes.js';
import { ServiceMetrics } from './metrics.js';
import { requestLogLine } from './request-log.js';
import { bodyGate } from './body-gate.js';
import { jsonBodies } from './json-body.js';
import { sealedRequests } from './sealed-requests.js';
import { sealedResponses } from './sealed-responses.js';
import { tokenRoutes } from './token-routes.js';
import { ClientLimits } from './client-limits.js';
import { RateLimited, rateLimitOpenRoutes } from './rate-limits.js';
import { limitsWith, type ServiceLimits } from './service-limits.js';
import { serverFactoryFor } from './timeouts.js';
import { DEFAULT_MAX_KEYS_PER_HOUR, TrafficCounter } from './traffic-counter.js';
import { DEFAULT_TRAFFIC_FLUSH_MS, TrafficFlusher } from './traffic-flush.js';
import { noteOutcome, trafficFactOf } from './traffic-notes.js';

export interface ServerOptions {
  /** CIDR ranges of proxies whose X-Forwarded-For is believed. */
  trustProxy?: string[];
  /** The clock (tests inject one). */
  now?: () => Date;
  /** Where request log lines go (default: stderr). */
  log?: (line: string) => void;
  /** Unseals the URL encryption keys (default: the master key from the environment). */
  masterKey?: () => Buffer;
  /** Timeouts, connection caps and rate limits (service-limits.ts); unset ones keep their defaults. */
  limits?: Partial<ServiceLimits>;
  /**
   * Traffic facts (traffic_facts, read by plan): counted in memory and added to the database every
   * `flushMs` and when the server closes. `false` turns them off (`serve --no-traffic-facts`).
   */
  trafficFacts?: false | { flushMs?: number; maxKeysPerHour?: number };
}

export interface ServiceContext {
  database: Database;
  metrics: ServiceMetrics;
  now: () => Date;
  masterKey: () => Buffer;
  /** Project facts admission last read (re-checked by every write; see startAdmission). */
  projects: ProjectFactsCache;
  /** What this process answered, until the next flush (absent: traffic facts are off). */
  traffic?: TrafficCounter;
}

/** Route label for logs and metrics: the route template, never the URL (it may hold token IDs). */
export function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

export async function buildServer(
  database: Database,
  options: ServerOptions = {},
): Promise<{ app: FastifyInstance; metrics: ServiceMetrics; traffic?: TrafficFlusher }> {
  const trust = options.trustProxy ?? [];
  const limits = limitsWith(options.limits);
  const metrics = new ServiceMetrics();
  const clients = new ClientLimits(limits, trust, metrics);
  const app = Fastify({
    logger: false,
    trustProxy: trust.length ? trust : false,
    bodyLimit: limits.bodyLimitBytes,
    // Timeouts and the connection caps sit on the HTTP server itself (timeouts.ts, client-limits.ts).
    serverFactory: serverFactoryFor(limits, (server) => clients.guard(server)),
    // A malformed URL or an over-long path parameter is the caller's mistake, answered in our shape.
    frameworkErrors: (error, _request, reply) => sendError(reply, 'invalid_payload', error.message),
  });
  const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  const ctx: ServiceContext = {
    database,
    metrics,
    now: options.now ?? (() => new Date()),
    projects: new ProjectFactsCache(),
    masterKey: options.masterKey ?? (() => resolveMasterKey(undefined)),
  };
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const factsOptions = options.trafficFacts === false ? undefined : (options.trafficFacts ?? {});
  const traffic = factsOptions
    ? new TrafficFlusher(
        database.db,
        (ctx.traffic = new TrafficCounter(factsOptions.maxKeysPerHour ?? DEFAULT_MAX_KEYS_PER_HOUR)),
        (error) =>
          log(
            JSON.stringify({
              level: 'error',
              time: new Date().toISOString(),
              error: `traffic facts not written (kept for the next flush): ${String((error as Error).message).slice(0, 300)}`,
            }),
          ),
      )
    : undefined;

  // Callback hooks, not async ones: no promise per request for work that never waits.
  app.addHook('onRequest', (request, _reply, done) => {
    (request as { startedAt?: number }).startedAt = performance.now();
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = routeOf(request);
    ctx.metrics.requests.inc({ route, method: request.method, code: String(reply.statusCode) });
    const fact = ctx.traffic && trafficFactOf(request, route, reply.statusCode);
    if (fact) ctx.traffic!.count(fact, ctx.now());
    const startedAt = (request as { startedAt?: number }).startedAt ?? performance.now();
    log(requestLogLine(request, reply, performance.now() - startedAt));
    done();
  });

  // An answer given before the request's body was read (a 401 from the headers, a 429, a 503) closes
  // the connection: keeping it alive would make Node read and drop the rest of the body, whatever its
  // declared size, for a caller already refused.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!request.raw.complete) reply.header('connection', 'close');
    done(null, payload);
  });
  clients.hooks(app);
  await rateLimitOpenRoutes(app, limits);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof RateLimited) return reply.code(429).send({ code: error.code, message: error.message });
    if (error instanceof TokenError) {
      noteOutcome(request, error.code);
      return sendError(reply, error.code, plainMessage(error.message));
    }
    // Before the parser's other errors: FST_ERR_CTP_BODY_TOO_LARGE is one of them, and was a 400.
    if (error.statusCode === 413)
      return reply.code(413).send({ code: 'invalid_payload', message: 'request body too large' });
    if (
      error.validation ||
      error.code?.startsWith('FST_ERR_CTP') ||
      error.statusCode === 400 ||
      error.statusCode === 415
    ) {
      return sendError(reply, 'invalid_payload', error.message);
    }
    log(
      JSON.stringify({
        level: 'error',
        time: new Date().toISOString(),
        route: routeOf(request),
        error: String(error.message).slice(0, 300),
      }),
    );
    return reply.code(500).send({ code: 'internal_error', message: 'internal error; see the server log' });
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 'not_found', `no route ${request.method} ${request.url.split('?')[0].slice(0, 100)}`),
  );

  bodyGate(app, ctx); // a body is read only for a route that takes it, within its size, after the Token API's key
  jsonBodies(app); // JSON bodies no deeper than a request of this service can be
  sealedResponses(app); // secure transmission: successful Token API answers of a project that has it on
  sealedRequests(app, ctx); // …and request bodies: opened before validation, refused in clear
  healthRoutes(app, ctx);
  tokenRoutes(app, ctx);
  liveformRoutes(app, ctx);
  if (traffic) {
    // Written every few seconds, and once more when the server closes (SIGTERM: serve calls app.close()).
    traffic.start(factsOptions?.flushMs ?? DEFAULT_TRAFFIC_FLUSH_MS);
    app.addHook('onClose', async () => traffic.stop());
  }
  await app.ready();
  return { app, metrics: ctx.metrics, ...(traffic ? { traffic } : {}) };
}
