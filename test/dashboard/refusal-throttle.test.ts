// How many refused sign-ins a dashboard process writes down (refusal-throttle.ts): the email of a
// refusal is whatever the client sent, so the limits hold per client and kind of refusal, and overall.
import { describe, expect, it } from 'vitest';
import { RefusalThrottle } from '../../src/dashboard/refusal-throttle.js';

describe('RefusalThrottle', () => {
  const clock = () => {
    const c = { at: 0, now: () => c.at };
    return c;
  };

  it('writes the same refusal once a minute, whatever the case or spaces of its email', () => {
    const c = clock();
    const t = new RefusalThrottle(c.now);
    expect(t.admit('192.0.2.1', 'a@example.com', 'no project')).toBe(true);
    expect(t.admit('192.0.2.1', ' A@Example.COM ', 'no project')).toBe(false);
    expect(t.admit('192.0.2.1', 'a@example.com', 'not an email address')).toBe(true); // another reason
    c.at = 59_999;
    expect(t.admit('192.0.2.1', 'a@example.com', 'no project')).toBe(false);
    c.at = 60_000;
    expect(t.admit('192.0.2.1', 'a@example.com', 'no project')).toBe(true);
  });

  it('writes at most 3 emails an address and reason a minute', () => {
    const c = clock();
    const t = new RefusalThrottle(c.now);
    const admitted = Array.from({ length: 50 }, (_, i) => t.admit('192.0.2.1', `spam${i}@x.example`, 'proxy'));
    expect(admitted.filter(Boolean)).toHaveLength(3);
    expect(t.admit('192.0.2.2', 'spam0@x.example', 'proxy')).toBe(true); // another address has its own 3
    c.at = 60_000;
    expect(t.admit('192.0.2.1', 'spam49@x.example', 'proxy')).toBe(true);
  });

  it('writes at most 100 refusals a minute in all, however many addresses send them', () => {
    const c = clock();
    const t = new RefusalThrottle(c.now);
    const admitted = Array.from({ length: 1_000 }, (_, i) =>
      t.admit(`2001:db8:${i.toString(16)}::1`, 'x@y.example', 'proxy'),
    );
    expect(admitted.filter(Boolean)).toHaveLength(100);
    c.at = 60_000;
    expect(t.admit('2001:db8:ffff::1', 'x@y.example', 'proxy')).toBe(true);
  });
});
