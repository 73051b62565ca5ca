// IPv4 entries as whitelists accept them (src/util/ipv4.ts): the one pattern that reads the four
// octets refuses what the old split-and-test refused, and reads what it read.
import { describe, expect, it } from 'vitest';
import { checkIpv4Entry } from '../../src/util/ipv4.js';
import { ipv4Of } from '../../src/server/project-access.js';

describe('checkIpv4Entry', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7/32'],
    ['0.0.0.0', '0.0.0.0/32'],
    ['255.255.255.255', '255.255.255.255/32'],
    ['198.51.100.0/24', '198.51.100.0/24'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['10.0.0.1/32', '10.0.0.1/32'],
  ])('accepts %s as %s', (entry, cidr) => expect(checkIpv4Entry(entry)).toEqual({ ok: true, cidr }));

  it.each([
    '256.0.0.1',
    '1.2.3.999',
    '01.2.3.4',
    '1.2.3.00',
    '1.2.3',
    '1.2.3.4.5',
    '1..3.4',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.4\n',
    '１.2.3.4',
    '1.2.3.4/33',
    '1.2.3.4/',
    '1.2.3.4/8/8',
    '1.2.3.4/08',
    'a.b.c.d',
    '',
  ])('refuses %j', (entry) => expect(checkIpv4Entry(entry).ok).toBe(false));

  it('names host bits and the range meant', () =>
    expect(checkIpv4Entry('10.0.0.1/8')).toMatchObject({ ok: false, hint: 'did you mean 10.0.0.0/8?' }));

  it('refuses IPv6 with its own message', () =>
    expect(checkIpv4Entry('2001:db8::1')).toMatchObject({ ok: false, message: expect.stringContaining('IPv6') }));
});

describe('ipv4Of (the caller of a request)', () => {
  it('reads a plain address and an IPv4-mapped one alike', () => {
    expect(ipv4Of('203.0.113.7')).toBe('203.0.113.7/32');
    expect(ipv4Of('::ffff:203.0.113.7')).toBe('203.0.113.7/32');
  });
  it('has none for IPv6 or anything else a forwarded header may hold', () => {
    for (const address of ['::1', '2001:db8::1', 'unknown', '203.0.113.7, 10.0.0.1', '<script>'])
      expect(ipv4Of(address)).toBeUndefined();
  });
});
