// What one `argosctl serve` process gives any client, as data in one place (flags of `serve`;
// docs/service.md lists them): how long a request may take to arrive, how many connections it may
// hold, how often it may call the routes that need no key. A client that sends a body one byte
// every 20 s, or opens a thousand connections, is cut off instead of taking the service down.
export interface ServiceLimits {
  /** Time to receive a request's headers (Node's headersTimeout). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body (Node's requestTimeout); then 408 and closed. */
  requestTimeoutMs: number;
  /**
   * A socket with no traffic this long is closed (Fastify's connectionTimeout): the backstop for a
   * socket no other timer covers (a client that does not read its answer).
   */
  idleTimeoutMs: number;
  /**
   * An idle keep-alive connection is closed after this (Fastify's keepAliveTimeout). Longer than a
   * load balancer's own idle timeout (60 s on common ones), or it reuses a connection we just closed.
   */
  keepAliveTimeoutMs: number;
  /** Largest request body (Fastify's bodyLimit); larger is 413. */
  bodyLimitBytes: number;
  /** Open connections in total; past it a new one is answered 503 and closed. */
  maxConnections: number;
  /**
   * Open connections from one client address, or, for connections from a --trust-proxy address,
   * requests in progress for one forwarded client; past it 503 too_many_connections.
   */
  maxConnectionsPerClient: number;
  /** Requests per minute per client address on each route that needs no key (/v1/liveform/start, /healthz, /readyz, /metrics); 0: no limit. */
  rateLimitPerMinute: number;
}

export const DEFAULT_LIMITS: ServiceLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
  keepAliveTimeoutMs: 72_000,
  bodyLimitBytes: 1024 * 1024,
  maxConnections: 4096,
  maxConnectionsPerClient: 128,
  rateLimitPerMinute: 600,
};

/** The routes anyone may call without a key: rate-limited per client address. */
export const OPEN_ROUTES = ['/v1/liveform/start', '/healthz', '/readyz', '/metrics'];

export function limitsWith(overrides: Partial<ServiceLimits> = {}): ServiceLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (limits as Record<string, number>)[k] = v;
  // Node refuses a headers timeout longer than the request timeout; the request timeout covers both.
  limits.headersTimeoutMs = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return limits;
}
