// Caps on what one client can hold open. At the socket: connections in total (--max-connections)
// and per peer address (--max-connections-per-client), refused with a short 503 before Node's HTTP
// parser sees them. A peer inside --trust-proxy (a load balancer) carries many clients, so it is
// held only to the total; for its requests the cap applies per forwarded client address
// (X-Forwarded-For, as Fastify reads it) to requests in progress, which covers slow bodies sent
// through the proxy.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { clientAddressOf, clientKeyOf } from './client-address.js';
import type { ServiceMetrics } from './metrics.js';
import { ipAllowed } from './project-access.js';
import type { ServiceLimits } from './service-limits.js';

const TOO_MANY = (message: string) => {
  const body = JSON.stringify({ code: 'too_many_connections', message });
  return (
    'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n' +
    `Connection: close\r\nRetry-After: 5\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
};

export class ClientLimits {
  private open = 0;
  private readonly perPeer = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly limits: Pick<ServiceLimits, 'maxConnections' | 'maxConnectionsPerClient'>,
    private readonly trustProxy: readonly string[],
    private readonly metrics: ServiceMetrics,
  ) {}

  isProxy(address: string | undefined): boolean {
    return this.trustProxy.length > 0 && address !== undefined && ipAllowed(this.trustProxy, address);
  }

  /** Puts the gate in front of Node's own connection handling: refused sockets never reach HTTP. */
  guard(server: Server): void {
    const [handle] = server.listeners('connection') as ((socket: Socket) => void)[];
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => {
      const refusal = this.admit(socket);
      if (refusal === undefined) return handle.call(server, socket);
      this.metrics.connectionsRefused.inc({ reason: refusal.reason });
      socket.on('error', () => {});
      socket.setTimeout(2_000, () => socket.destroy());
      socket.end(TOO_MANY(refusal.message));
    });
  }

  private admit(socket: Socket): { reason: string; message: string } | undefined {
    if (this.open >= this.limits.maxConnections)
      return { reason: 'total', message: 'the service holds its maximum of connections; try again shortly' };
    const address = socket.remoteAddress ?? 'unknown';
    const proxied = this.isProxy(address);
    const peer = clientKeyOf(address); // an IPv6 peer by its /64
    const mine = this.perPeer.get(peer) ?? 0;
    if (!proxied && mine >= this.limits.maxConnectionsPerClient)
      return { reason: 'per-client', message: 'too many open connections from this address; close some first' };
    this.open++;
    if (!proxied) this.perPeer.set(peer, mine + 1);
    socket.once('close', () => {
      this.open--;
      if (proxied) return;
      const left = (this.perPeer.get(peer) ?? 1) - 1;
      if (left > 0) this.perPeer.set(peer, left);
      else this.perPeer.delete(peer);
    });
    return undefined;
  }

  /** Requests that came through a trusted proxy: at most the per-client cap in progress per forwarded address. */
  hooks(app: FastifyInstance): void {
    if (this.trustProxy.length === 0) return;
    app.addHook('onRequest', (request, reply, done) => {
      if (!this.isProxy(request.socket.remoteAddress)) return done();
      const client = clientKeyOf(clientAddressOf(request));
      const mine = this.inFlight.get(client) ?? 0;
      if (mine >= this.limits.maxConnectionsPerClient) {
        this.metrics.connectionsRefused.inc({ reason: 'per-client' });
        reply
          .code(503)
          .header('retry-after', '5')
          .send({ code: 'too_many_connections', message: 'too many requests in progress from this address' });
        return; // answered here: the request goes no further
      }
      this.inFlight.set(client, mine + 1);
      reply.raw.once('close', () => {
        const left = (this.inFlight.get(client) ?? 1) - 1;
        if (left > 0) this.inFlight.set(client, left);
        else this.inFlight.delete(client);
      });
      done();
    });
  }
}
