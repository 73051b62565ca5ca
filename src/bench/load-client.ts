// The load generator of `npm run bench:serve`, in its own process so that autocannon's CPU is not
// counted as (or taken from) the server's: the parent sends one phase at a time over IPC, this
// process runs it and answers with autocannon's summary.
import autocannon from 'autocannon';

export type BodyKind =
  | { kind: 'none' }
  /** `{"pid", "token"}` with the next of `count` registered tokens `PREFIX-00000000`… */
  | { kind: 'admission'; pid: string; prefix: string; count: number }
  /** `{"tokenIds": [...]}`: 500 IDs never sent before. */
  | { kind: 'batch'; prefix: string };

export interface Phase {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body: BodyKind;
  seconds: number;
  connections: number;
  amount?: number;
  /** Spread requests over this many client addresses (X-Forwarded-For; the server trusts 127.0.0.1). */
  clientAddresses?: number;
}

export interface PhaseResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
}

let batches = 0;
function bodyMaker(body: BodyKind): (() => string) | undefined {
  if (body.kind === 'none') return undefined;
  if (body.kind === 'admission') {
    let next = 0;
    const token = () => `${body.prefix}-${String(next++ % body.count).padStart(8, '0')}`;
    return () => JSON.stringify({ pid: body.pid, token: token() });
  }
  return () => {
    const b = batches++;
    const tokenIds = Array.from({ length: 500 }, (_, i) => `${body.prefix}-${b}-${String(i).padStart(4, '0')}`);
    return JSON.stringify({ tokenIds });
  };
}

/** The n-th of many client addresses in 10.0.0.0/8, as a load balancer would forward them. */
export function clientAddress(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

function run(phase: Phase): Promise<PhaseResult> {
  const body = bodyMaker(phase.body);
  let sent = 0;
  const spread = phase.clientAddresses;
  const make =
    body || spread
      ? (req: autocannon.Request) => ({
          ...req,
          ...(body ? { body: body() } : {}),
          ...(spread ? { headers: { ...req.headers, 'x-forwarded-for': clientAddress(sent++ % spread) } } : {}),
        })
      : undefined;
  const options: autocannon.Options = {
    url: phase.url,
    method: phase.method,
    connections: phase.connections,
    headers: phase.headers,
    ...(phase.amount ? { amount: phase.amount } : { duration: phase.seconds }),
    ...(make ? { requests: [{ setupRequest: make }] } : {}),
  };
  return new Promise((resolve, reject) =>
    autocannon(options, (err, r) =>
      err
        ? reject(err)
        : resolve({
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

process.on('message', (phase: Phase) => {
  run(phase).then(
    (result) => process.send!({ result }),
    (err: Error) => process.send!({ error: err.message }),
  );
});
