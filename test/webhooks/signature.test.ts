// The Argos-Signature header and the retry schedule, as pure functions.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/webhooks/backoff.js';
import { signatureHeader, verifySignature } from '../../src/webhooks/signature.js';

describe('signatureHeader / verifySignature', () => {
  const body = '{"webhook_trigger":"token_expired","token_id":"t-00000001"}';
  const t = 1_790_000_000;

  it('is HMAC-SHA256 over "t.body", hex, one v1 per secret; any matching v1 verifies', () => {
    const header = signatureHeader(['whsec_new', 'whsec_old'], t, body);
    expect(header).toMatch(new RegExp(`^t=${t},v1=[0-9a-f]{64},v1=[0-9a-f]{64}$`));
    expect(verifySignature(header, body, 'whsec_new', t)).toEqual({ ok: true });
    expect(verifySignature(header, body, 'whsec_old', t)).toEqual({ ok: true });
    expect(verifySignature(header, body, 'whsec_other', t)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a replay outside the window, a changed timestamp, and malformed headers', () => {
    const header = signatureHeader(['whsec_a'], t, body);
    expect(verifySignature(header, body, 'whsec_a', t + 301)).toEqual({ ok: false, reason: 'too-old' });
    expect(verifySignature(header.replace(`t=${t}`, `t=${t + 1}`), body, 'whsec_a', t)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    for (const bad of [undefined, '', 'v1=abc', `t=${t}`, `t=x,v1=${'0'.repeat(64)}`]) {
      expect(verifySignature(bad, body, 'whsec_a', t)).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});

describe('retryDelayMs', () => {
  const policy = { maxAttempts: 12, baseMs: 30_000, capMs: 6 * 3600_000 };
  it('doubles per attempt within [step/2, step], up to the cap', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, policy, () => 0))).toEqual([15_000, 30_000, 60_000]);
    expect([1, 2, 3].map((n) => retryDelayMs(n, policy, () => 1))).toEqual([30_000, 60_000, 120_000]);
    expect(retryDelayMs(50, policy, () => 1)).toBe(6 * 3600_000);
  });
});

describe("the service docs' verification snippet", () => {
  it('accepts what the worker signs and refuses a changed body or another secret', async () => {
    const readme = readFileSync(new URL('../../docs/service.md', import.meta.url), 'utf8');
    const code = /```js\n(import \{ createHmac[\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const { verifyArgosSignature } = (await import(`data:text/javascript,${encodeURIComponent(code!)}`)) as {
      verifyArgosSignature: (h: string, b: string, s: string) => boolean;
    };
    const body =
      '{"webhook_trigger":"token_expired","token_id":"t-00000001","expired_condition":"count","expired_at":"2026-11-25T10:00:00.000Z"}';
    const header = signatureHeader(['whsec_new', 'whsec_old'], Math.floor(Date.now() / 1000), body);
    expect(verifyArgosSignature(header, body, 'whsec_new')).toBe(true);
    expect(verifyArgosSignature(header, body, 'whsec_old')).toBe(true);
    expect(verifyArgosSignature(header, body.replace('count', 'time'), 'whsec_new')).toBe(false);
    expect(verifyArgosSignature(header, body, 'whsec_other')).toBe(false);
    expect(verifyArgosSignature(signatureHeader(['whsec_new'], 1_000_000_000, body), body, 'whsec_new')).toBe(false);
  });
});
