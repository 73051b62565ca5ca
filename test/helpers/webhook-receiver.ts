// A webhook receiver for tests: node:http on 127.0.0.1 (port 0 by default), recording every
// request (path, headers, body) and answering with the status `answer` chooses per request.
import http, { type IncomingHttpHeaders } from 'node:http';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

export interface Receiver {
  readonly port: number;
  url(path: string): string;
  received: Received[];
  /** The status for a request (default 200); `delay` ms before answering. */
  answer: (path: string, n: number) => number;
  delayMs: number;
  close(): Promise<void>;
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const seen = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const n = (seen.get(path) ?? 0) + 1;
      seen.set(path, n);
      const status = receiver.answer(path, n);
      receiver.received.push({ path, headers: req.headers, body, status });
      setTimeout(
        () =>
          res.writeHead(status, { 'content-type': 'text/plain' }).end(`reply ${status} with \u001b[31m hostile text`),
        receiver.delayMs,
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = (server.address() as { port: number }).port;
  const receiver: Receiver = {
    port: actual,
    url: (path) => `http://127.0.0.1:${actual}${path}`,
    received: [],
    answer: () => 200,
    delayMs: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}
