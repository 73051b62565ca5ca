// IPv4 addresses and CIDR ranges as whitelists accept them; IPv6 is refused with its own message.
import { quote } from '../manifest/excerpt.js';

export type IpCheck = { ok: true; cidr: string } | { ok: false; message: string; allowed: string; hint?: string };

const ALLOWED = 'an IPv4 address (203.0.113.7) or CIDR range (198.51.100.0/24)';

// Four decimal octets without leading zeros (010 is refused, not read as 8 or 10). One pattern, not
// split and four tests: `serve` reads the caller's address with it on every request.
const DOTTED_QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

function parseOctets(text: string): number[] | undefined {
  const m = DOTTED_QUAD.exec(text);
  if (!m) return undefined;
  const octets = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  return octets[0] <= 255 && octets[1] <= 255 && octets[2] <= 255 && octets[3] <= 255 ? octets : undefined;
}

export function toInt(octets: number[]): number {
  return ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
}

export function fromInt(value: number): string {
  return [24, 16, 8, 0].map((s) => (value >>> s) & 255).join('.');
}

export function checkIpv4Entry(entry: string): IpCheck {
  if (entry.includes(':')) {
    return { ok: false, message: `${quote(entry)} is an IPv6 address; whitelists take IPv4 only`, allowed: ALLOWED };
  }
  const [addr, bitsText, ...extra] = entry.split('/');
  const octets = parseOctets(addr);
  if (!octets || extra.length > 0)
    return { ok: false, message: `${quote(entry)} is not an IPv4 address or CIDR range`, allowed: ALLOWED };
  if (bitsText === undefined) return { ok: true, cidr: `${addr}/32` };
  if (!/^(\d|[12]\d|3[0-2])$/.test(bitsText)) {
    return {
      ok: false,
      message: `${quote(entry)} has prefix length ${quote(`/${bitsText}`)}`,
      allowed: 'a prefix length from /0 to /32',
    };
  }
  const bits = Number(bitsText);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const value = toInt(octets);
  if ((value & mask) >>> 0 !== value) {
    const network = `${fromInt((value & mask) >>> 0)}/${bits}`;
    return {
      ok: false,
      message: `CIDR range ${quote(entry)} has host bits set`,
      allowed: ALLOWED,
      hint: `did you mean ${network}?`,
    };
  }
  return { ok: true, cidr: `${addr}/${bits}` };
}

/** Does range `outer` contain every address of range `inner`? */
export function cidrContains(outer: string, inner: string): boolean {
  const [oa, ob] = outer.split('/');
  const [ia, ib] = inner.split('/');
  const obits = Number(ob);
  if (Number(ib) < obits) return false;
  const mask = obits === 0 ? 0 : (0xffffffff << (32 - obits)) >>> 0;
  return (toInt(parseOctets(ia)!) & mask) >>> 0 === (toInt(parseOctets(oa)!) & mask) >>> 0;
}
