// The caller's address, worked out once per request. Behind --trust-proxy Fastify's `request.ip`
// parses X-Forwarded-For again on every read, and a request reads it up to five times (connection
// limits, rate limit, whitelist, traffic facts, request log).
import type { FastifyRequest } from 'fastify';

const ADDRESS = Symbol('client address');
type WithAddress = FastifyRequest & { [ADDRESS]?: string };

export function clientAddressOf(request: FastifyRequest): string {
  const noted = request as WithAddress;
  return (noted[ADDRESS] ??= request.ip);
}

/**
 * Whom a per-client limit counts an address as (rate limits, connection caps): an IPv4 address on its
 * own (`::ffff:1.2.3.4` is 1.2.3.4), an IPv6 address by its /64, the smallest block a site is given,
 * whose 2^64 addresses one client could otherwise take turns with to pass every per-address limit.
 */
export function clientKeyOf(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(':')) return address;
  const groups = ipv6Groups(address.replace(/%.*$/, ''));
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}

/** The eight groups of an IPv6 address (as hex without leading zeros), or undefined when it is not one. */
function ipv6Groups(address: string): string[] | undefined {
  const halves = address.toLowerCase().split('::');
  if (halves.length > 2) return undefined;
  // A trailing IPv4 (2001:db8::1.2.3.4) is two groups, past the /64 anyway.
  const part = (text: string) =>
    text === '' ? [] : text.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
  const head = part(halves[0]);
  const tail = halves.length === 2 ? part(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => Number.parseInt(g, 16).toString(16));
}
