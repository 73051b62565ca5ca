// The HTTP server with every timeout set (service-limits.ts). Fastify's serverFactory, because
// Node checks headersTimeout and requestTimeout only every connectionsCheckingInterval (30 s by
// default), which only the server's constructor takes: with short limits the check runs often
// enough for a late request to be cut off near its limit, not up to 30 s after it.
import http from 'node:http';
import type { FastifyServerFactory } from 'fastify';
import type { ServiceLimits } from './service-limits.js';

export function checkingIntervalFor(limits: ServiceLimits): number {
  return Math.max(100, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4)));
}

/**
 * Requests whose client waits for "100 Continue" before sending its body: exactly those Node hands
 * to 'checkContinue' (HTTP/1.1, its own reading of the Expect header), so the answer follows Node's
 * test, never the header's spelling (an HTTP/1.0 client is never sent a 100).
 */
const awaitingContinue = new WeakSet<http.IncomingMessage>();

/** Sends "100 Continue" to a client waiting for it, once. */
export function continueIfAwaited(request: http.IncomingMessage, response: http.ServerResponse): void {
  if (awaitingContinue.delete(request)) response.writeContinue();
}

export function serverFactoryFor(limits: ServiceLimits, onServer: (server: http.Server) => void): FastifyServerFactory {
  return (handler) => {
    const server = http.createServer(
      {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        connectionsCheckingInterval: checkingIntervalFor(limits),
      },
      handler,
    );
    server.setTimeout(limits.idleTimeoutMs, (socket) => socket.destroy());
    // `Expect: 100-continue`: no automatic "100 Continue" (Node sends it before any hook runs, so a
    // client waiting for it sent its body before its 401). The body gate sends it once the body may
    // be read (body-gate.ts).
    server.on('checkContinue', (request, response) => {
      awaitingContinue.add(request);
      server.emit('request', request, response);
    });
    onServer(server);
    return server;
  };
}
