// isoFromEpochMs writes exactly what Date#toISOString writes, whatever the time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoFromEpochMs } from '../../src/util/iso-time.js';

const native = (ms: number) => new Date(ms).toISOString();

describe('isoFromEpochMs', () => {
  it.each([
    0,
    1,
    999,
    86_399_999,
    86_400_000,
    951_782_400_000, // 2000-02-29
    1_765_051_200_123.456, // fractional milliseconds are cut, as Date does
    1_765_051_200_999.99,
    253_402_300_799_999, // 9999-12-31T23:59:59.999Z
    253_402_300_800_000, // year 10000: the native form (+010000-…)
    -1, // before 1970: the native form
    -62_198_755_200_000,
  ])('writes %d as toISOString does', (ms) => expect(isoFromEpochMs(ms)).toBe(native(ms)));

  it('agrees with toISOString on any time from 1970 to 9999, in any order', () =>
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e14, max: 2.6e14, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (times) => {
          for (const ms of times) expect(isoFromEpochMs(ms)).toBe(native(ms));
        },
      ),
    ));

  it('throws as toISOString does on a time that is not one', () => {
    expect(() => isoFromEpochMs(Number.NaN)).toThrow(RangeError);
    expect(() => isoFromEpochMs(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
