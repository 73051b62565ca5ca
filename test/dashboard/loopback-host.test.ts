// isLoopbackHost decides both where `dashboard --local-login` may listen (--host) and which Host
// headers it answers (DNS rebinding): one function for the two, with a port, brackets and look-alikes.
import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../src/dashboard/app.js';

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.12.0.9', true],
    ['localhost', true],
    ['LOCALHOST:8081', true],
    ['127.0.0.1:8081', true],
    ['::1', true],
    ['[::1]', true],
    ['[::1]:8081', true],
    [undefined, false],
    ['', false],
    ['0.0.0.0', false],
    ['10.0.0.1', false],
    ['evil.example', false],
    ['evil.example:8081', false],
    ['127.0.0.1.evil.example', false],
    ['localhost.evil.example', false],
    ['[::1', false],
    ['::2', false],
    ['[2001:db8::1]:8081', false],
  ])('%s is %s', (host, loopback) => expect(isLoopbackHost(host)).toBe(loopback));
});
