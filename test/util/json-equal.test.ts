// jsonEqual compares as canonical JSON does (keys in any order, undefined keys absent, NaN as
// null), without writing the values out.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, jsonEqual } from '../../src/util/canonical-json.js';
import { depth } from '../helpers/deep.js';

const leaf = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0.5, -0, Number.NaN, Number.POSITIVE_INFINITY),
  fc.constantFrom('', 'a', 'b', '1', 'null'),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('v'), { maxKeys: 3 }),
  ),
})).v;

describe('jsonEqual', () => {
  it('agrees with comparing canonical JSON, on random values and on values made alike', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(jsonEqual(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
        // A copy with keys reordered and undefined keys dropped is equal.
        const copy = JSON.parse(canonicalJson(a));
        expect(jsonEqual(a, copy)).toBe(canonicalJson(a) === canonicalJson(copy));
      }),
      // a fifth by default; ARGOS_DEEP=1 runs them all (test/helpers/deep.ts)
      { numRuns: depth(3000) },
    );
  });

  it('examples: key order and undefined keys do not count; types and lengths do', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1, z: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, z: null })).toBe(false);
    expect(jsonEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(jsonEqual(1, '1')).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual(null, undefined)).toBe(true);
  });
});
