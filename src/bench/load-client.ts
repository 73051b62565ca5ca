// The load generator of `npm run bench:serve`, in its own process so that autocannon's CPU is not
// counted as (or taken from) the server's: the parent sends one phase at a time over IPC, this
// process runs it and answers with autocannon's summary.
import http from 'node:http';
import net from 'node:net';
import autocannon from 'autocannon';

export type BodyKind =
  | { kind: 'none' }
  /** `{"pid", "token"}` with the next of `count` registered tokens `PREFIX-00000000`… */
  | { kind: 'admission'; pid: string; prefix: string; count: number; from?: number }
  /** `{"tokenIds": [...]}`: 500 IDs never sent before. */
  | { kind: 'batch'; prefix: string }
  /** `{"content": "..."}`: 500 IDs never sent before, one a line (the import route). */
  | { kind: 'import'; prefix: string }
  /** `{"tokenIds": [ID]}`: the next of `count` registered tokens from `from`, each once (the delete route). */
  | { kind: 'one-id'; prefix: string; count: number; from?: number }
  /** The same JSON body every time. */
  | { kind: 'json'; value: unknown };

/**
 * Each request's path: `template` with `{id}` replaced by the next of `count` token IDs or session
 * UUIDs, or of the `values` given (list cursors).
 */
export interface PathIds {
  template: string;
  ids: 'token' | 'session' | 'given';
  prefix?: string;
  count: number;
  /** Start at the from-th ID (a second phase on what the first did not consume). */
  from?: number;
  values?: string[];
}

/** The n-th session UUID the bench inserts (`benchSessionId(0)` …). */
export function benchSessionId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

const tokenIdOf = (prefix: string, n: number) => `${prefix}-${String(n).padStart(8, '0')}`;

export interface Phase {
  /** One URL, or several (replicas): autocannon spreads its connections over them in turn. */
  url: string | string[];
  pathIds?: PathIds;
  method: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  body: BodyKind;
  seconds: number;
  connections: number;
  amount?: number;
  /**
   * Requests a second over all connections, each sent at its time (autocannon's overallRate): the
   * latency at a given load, corrected for coordinated omission. Without it, as fast as answered.
   */
  rate?: number;
  /** Spread requests over this many client addresses (X-Forwarded-For; the server trusts 127.0.0.1). */
  clientAddresses?: number;
  /** Asks /healthz at this base URL every 250 ms during the phase (reported as `healthz`). */
  probeHealthz?: string;
}

/** Slow clients: connections that send a body one byte a second, reopened when the server closes them. */
export interface SlowClients {
  slow: { base: string; count: number } | 'stop';
}

export interface SlowReport {
  count: number;
  opened: number;
  /** Cut off by the server's request timeout (408) before the body was complete. */
  cutOff: number;
  /** Refused at once with 503 too_many_connections. */
  refused: number;
  /** Closed with no answer: reset (a full listen backlog under load) or the idle timeout. */
  closedWithoutAnswer: number;
}

export interface PhaseResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  healthz?: { ok: number; failed: number; maxMs: number };
}

let batches = 0;
function bodyMaker(body: BodyKind): (() => string) | undefined {
  if (body.kind === 'none') return undefined;
  if (body.kind === 'json') {
    const text = JSON.stringify(body.value);
    return () => text;
  }
  if (body.kind === 'admission') {
    let next = 0;
    const from = body.from ?? 0;
    return () => JSON.stringify({ pid: body.pid, token: tokenIdOf(body.prefix, from + (next++ % body.count)) });
  }
  if (body.kind === 'one-id') {
    let next = 0;
    const from = body.from ?? 0;
    return () => JSON.stringify({ tokenIds: [tokenIdOf(body.prefix, from + (next++ % body.count))] });
  }
  const fresh = (prefix: string) => {
    const b = batches++;
    return Array.from({ length: 500 }, (_, i) => `${prefix}-${b}-${String(i).padStart(4, '0')}`);
  };
  if (body.kind === 'import') return () => JSON.stringify({ content: fresh(body.prefix).join('\n') });
  return () => JSON.stringify({ tokenIds: fresh(body.prefix) });
}

function pathMaker(p: PathIds | undefined): (() => string) | undefined {
  if (!p) return undefined;
  let next = 0;
  const from = p.from ?? 0;
  return () => {
    const n = from + (next++ % p.count);
    const id =
      p.ids === 'given' ? p.values![n] : p.ids === 'session' ? benchSessionId(n) : tokenIdOf(p.prefix ?? '', n);
    return p.template.replace('{id}', id);
  };
}

/** The n-th of many client addresses in 10.0.0.0/8, as a load balancer would forward them. */
export function clientAddress(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

const slow = { sockets: new Set<net.Socket>(), timer: undefined as NodeJS.Timeout | undefined, stopping: false };
const slowReport: SlowReport = { count: 0, opened: 0, cutOff: 0, refused: 0, closedWithoutAnswer: 0 };

function openSlow(base: string, n: number): void {
  const { port } = new URL(base);
  const socket = net.connect({ host: '127.0.0.1', port: Number(port) });
  let received = '';
  socket.on('data', (d) => (received += d));
  socket.on('error', () => {});
  socket.on('connect', () => {
    slowReport.opened++;
    socket.write(
      'POST /v1/liveform/start HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n' +
        `X-Forwarded-For: 172.${16 + ((n >> 16) & 15)}.${(n >> 8) & 255}.${n & 255}\r\nContent-Length: 100000\r\n\r\n{`,
    );
  });
  slow.sockets.add(socket);
  socket.on('close', () => {
    slow.sockets.delete(socket);
    if (slow.stopping) return;
    if (received.startsWith('HTTP/1.1 503')) slowReport.refused++;
    else if (received.startsWith('HTTP/1.1 408')) slowReport.cutOff++;
    else slowReport.closedWithoutAnswer++;
    setTimeout(() => openSlow(base, n), 100); // hostile clients come back
  });
}

function startSlow(base: string, count: number): void {
  slowReport.count = count;
  for (let i = 0; i < count; i++) openSlow(base, i);
  slow.timer = setInterval(() => {
    for (const s of slow.sockets) if (s.writable) s.write(' ');
  }, 1000);
}

function stopSlow(): SlowReport {
  slow.stopping = true;
  clearInterval(slow.timer);
  for (const s of slow.sockets) s.destroy();
  return { ...slowReport };
}

/** /healthz every 250 ms on a fresh connection, from its own forwarded address. */
function probe(base: string): () => { ok: number; failed: number; maxMs: number } {
  const result = { ok: 0, failed: 0, maxMs: 0 };
  const timer = setInterval(() => {
    const started = performance.now();
    const done = (ok: boolean) => {
      if (ok) result.ok++;
      else result.failed++;
      result.maxMs = Math.max(result.maxMs, Math.round(performance.now() - started));
    };
    http
      .get(`${base}/healthz`, { agent: false, headers: { 'x-forwarded-for': '192.0.2.1' } }, (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode === 200));
      })
      .on('error', () => done(false));
  }, 250);
  return () => {
    clearInterval(timer);
    return result;
  };
}

function run(phase: Phase): Promise<PhaseResult> {
  const body = bodyMaker(phase.body);
  const path = pathMaker(phase.pathIds);
  let sent = 0;
  const spread = phase.clientAddresses;
  const make =
    body || spread || path
      ? (req: autocannon.Request) => ({
          ...req,
          ...(body ? { body: body() } : {}),
          ...(path ? { path: path() } : {}),
          ...(spread ? { headers: { ...req.headers, 'x-forwarded-for': clientAddress(sent++ % spread) } } : {}),
        })
      : undefined;
  const options: autocannon.Options = {
    url: phase.url as string, // autocannon takes several too (its types say one)
    method: phase.method,
    connections: phase.connections,
    headers: phase.headers,
    ...(phase.amount ? { amount: phase.amount } : { duration: phase.seconds }),
    ...(phase.rate ? { overallRate: phase.rate } : {}),
    ...(make ? { requests: [{ setupRequest: make }] } : {}),
  };
  const probed = phase.probeHealthz ? probe(phase.probeHealthz) : undefined;
  return new Promise((resolve, reject) =>
    autocannon(options, (err, r) =>
      err
        ? reject(err)
        : resolve({
            ...(probed ? { healthz: probed() } : {}),
            rps: Math.round(r.requests.average),
            p50: r.latency.p50,
            p99: r.latency.p99,
            ok: r['2xx'],
            non2xx: r.non2xx,
            errors: r.errors,
            seconds: r.duration,
          }),
    ),
  );
}

process.on('message', (message: Phase | SlowClients) => {
  if ('slow' in message) {
    if (message.slow === 'stop') process.send!({ slow: stopSlow() });
    else startSlow(message.slow.base, message.slow.count);
    return;
  }
  const phase = message;
  run(phase).then(
    (result) => process.send!({ result }),
    (err: Error) => process.send!({ error: err.message }),
  );
});
