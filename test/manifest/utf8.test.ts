// The UTF-8 check agrees with the platform's strict decoder on every input it is given.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invalidUtf8Offset } from '../../src/manifest/read/load-files.js';
import { depth } from '../helpers/deep.js';

function strictDecodes(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe('invalidUtf8Offset', () => {
  it('finds the first bad byte of known inputs', () => {
    expect(invalidUtf8Offset(Buffer.from('héllo ✓ 😀'))).toBe(-1);
    expect(invalidUtf8Offset(Buffer.from([0x61, 0xe9, 0x0a]))).toBe(1);
    expect(invalidUtf8Offset(Buffer.from([0x61, 0xc0, 0x80]))).toBe(1); // overlong
    expect(invalidUtf8Offset(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // surrogate
    expect(invalidUtf8Offset(Buffer.from([0xf0, 0x9f, 0x98]))).toBe(0); // truncated at the end
  });

  it('agrees with TextDecoder(fatal) on random bytes (bounded property test)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 24 }),
        (bytes) => (invalidUtf8Offset(bytes) === -1) === strictDecodes(bytes),
      ),
      // a fifth by default; ARGOS_DEEP=1 runs them all (test/helpers/deep.ts)
      { numRuns: depth(3000) },
    );
  });
});
