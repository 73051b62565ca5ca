// `serve`'s flags for the limits of service-limits.ts, with their defaults shown in --help.
import { InvalidArgumentError, Option } from 'commander';
import { DEFAULT_LIMITS, type ServiceLimits } from '../server/service-limits.js';
import { parseDurationMs } from './options.js';

function atLeastOneSecond(value: string): number {
  const ms = parseDurationMs(value);
  if (ms < 1000) throw new InvalidArgumentError('expected a duration of at least 1s, such as 10s or 1m');
  return ms;
}

function count(min: number) {
  return (value: string): number => {
    if (!/^\d{1,7}$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`expected a whole number from ${min} to 9999999`);
    return Number(value);
  };
}

function bytes(value: string): number {
  const m = /^(\d{1,10})(k|KiB|M|MiB)?$/.exec(value);
  const n = m ? Number(m[1]) * (m[2]?.startsWith('M') ? 1024 * 1024 : m[2] ? 1024 : 1) : Number.NaN;
  if (!(n >= 1024 && n <= 64 * 1024 * 1024))
    throw new InvalidArgumentError('expected a size from 1024 bytes to 64MiB, such as 1048576, 512KiB or 1MiB');
  return n;
}

/** As the docs write the defaults: 10s, 72s, 2m. */
const seconds = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`);

export const serveLimitOptions = () => [
  new Option('--headers-timeout <duration>', "time to receive a request's headers")
    .argParser(atLeastOneSecond)
    .default(DEFAULT_LIMITS.headersTimeoutMs, seconds(DEFAULT_LIMITS.headersTimeoutMs)),
  new Option('--request-timeout <duration>', 'time to receive a whole request (headers and body); then 408 and closed')
    .argParser(atLeastOneSecond)
    .default(DEFAULT_LIMITS.requestTimeoutMs, seconds(DEFAULT_LIMITS.requestTimeoutMs)),
  new Option('--idle-timeout <duration>', 'a connection with no traffic this long is closed')
    .argParser(atLeastOneSecond)
    .default(DEFAULT_LIMITS.idleTimeoutMs, seconds(DEFAULT_LIMITS.idleTimeoutMs)),
  new Option('--keep-alive-timeout <duration>', 'an idle keep-alive connection is closed after this')
    .argParser(atLeastOneSecond)
    .default(DEFAULT_LIMITS.keepAliveTimeoutMs, seconds(DEFAULT_LIMITS.keepAliveTimeoutMs)),
  new Option('--body-limit <size>', 'largest request body (bytes, or with KiB/MiB); larger is 413')
    .argParser(bytes)
    .default(DEFAULT_LIMITS.bodyLimitBytes, '1MiB'),
  new Option('--max-connections <n>', 'open connections in total; past it new ones get 503 and are closed')
    .argParser(count(1))
    .default(DEFAULT_LIMITS.maxConnections),
  new Option(
    '--max-connections-per-client <n>',
    'open connections per client address (through a --trust-proxy address: requests in progress per forwarded client); past it 503',
  )
    .argParser(count(1))
    .default(DEFAULT_LIMITS.maxConnectionsPerClient),
  new Option(
    '--rate-limit <n>',
    'requests a minute per client address on each route that needs no key (/v1/liveform/start, /healthz, /readyz, /metrics); past it 429; 0: no limit',
  )
    .argParser(count(0))
    .default(DEFAULT_LIMITS.rateLimitPerMinute),
];

export interface LimitFlags {
  headersTimeout: number;
  requestTimeout: number;
  idleTimeout: number;
  keepAliveTimeout: number;
  bodyLimit: number;
  maxConnections: number;
  maxConnectionsPerClient: number;
  rateLimit: number;
}

export function limitsOf(flags: LimitFlags): ServiceLimits {
  return {
    headersTimeoutMs: flags.headersTimeout,
    requestTimeoutMs: flags.requestTimeout,
    idleTimeoutMs: flags.idleTimeout,
    keepAliveTimeoutMs: flags.keepAliveTimeout,
    bodyLimitBytes: flags.bodyLimit,
    maxConnections: flags.maxConnections,
    maxConnectionsPerClient: flags.maxConnectionsPerClient,
    rateLimitPerMinute: flags.rateLimit,
  };
}
