// Listening on the address `serve` and `dashboard` were given: a port in use or not allowed is the
// user's to fix (exit 1 with a hint), not a bug with a stack trace.
import type { FastifyInstance } from 'fastify';
import { UserError } from '../errors.js';

const REASONS: Record<string, { why: string; hint: string }> = {
  EADDRINUSE: {
    why: 'the address is already in use',
    hint: 'another process listens there: stop it, or choose another --port (--port 0 takes a free one)',
  },
  EACCES: {
    why: 'permission denied',
    hint: 'ports below 1024 need privileges: choose --port 1024 or above, and put a proxy in front',
  },
  EADDRNOTAVAIL: {
    why: 'the address is not on this machine',
    hint: '--host must be an address of this machine (127.0.0.1, 0.0.0.0 for every interface, or ::)',
  },
};

/** `http://host:port`, with an IPv6 host in brackets. */
export function shownAddress(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function listenOn(app: FastifyInstance, host: string, port: number): Promise<number> {
  try {
    await app.listen({ host, port });
  } catch (err) {
    const reason = REASONS[(err as NodeJS.ErrnoException).code ?? ''];
    if (!reason) throw err;
    await app.close();
    throw new UserError(`cannot listen on ${shownAddress(host, port)}: ${reason.why}`, reason.hint);
  }
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}
