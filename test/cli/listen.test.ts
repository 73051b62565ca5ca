// serve and dashboard on a port already taken: a clear error with a hint (exit 1), no stack trace.
import { createServer, type Server } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOn, shownAddress } from '../../src/cli/listen.js';
import { UserError } from '../../src/errors.js';

let busy: Server;
let port: number;
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  port = (busy.address() as { port: number }).port;
});
afterAll(() => {
  busy.close();
});

describe('listening', () => {
  it('a port in use is a user error naming the address, with a hint to choose another', async () => {
    const app = Fastify();
    const error = await listenOn(app, '127.0.0.1', port).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      `cannot listen on http://127.0.0.1:${port}: the address is already in use`,
    );
    expect((error as UserError).hint).toMatch(/--port 0 takes a free one/);
  });

  it('port 0 listens on a free port and returns it', async () => {
    const app = Fastify();
    const free = await listenOn(app, '127.0.0.1', 0);
    expect(free).toBeGreaterThan(0);
    expect(free).not.toBe(port);
    await app.close();
  });

  it('an IPv6 host is shown in brackets', () => {
    expect(shownAddress('::1', 8080)).toBe('http://[::1]:8080');
  });
});
