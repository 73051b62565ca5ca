// valuesAt (src/manifest/check/duration-fields.ts): every value a field path reaches, in document
// order, with its concrete path; own properties only.
import { describe, expect, it } from 'vitest';
import { valuesAt } from '../../src/manifest/check/duration-fields.js';

describe('valuesAt', () => {
  const value = {
    spec: {
      hooks: [
        { retry: { after: '1m' }, more: [{ t: 'a' }, { t: 'b' }] },
        { retry: {} },
        { retry: { after: '2h' }, more: [{ t: 'c' }] },
      ],
      byName: { x: { t: '1s' }, y: { t: '2s' } },
    },
  };

  it('follows names and every item of a list, in order', () => {
    expect(valuesAt(value, ['spec', 'hooks', '*', 'retry', 'after'])).toEqual([
      { at: ['spec', 'hooks', 0, 'retry', 'after'], value: '1m' },
      { at: ['spec', 'hooks', 2, 'retry', 'after'], value: '2h' },
    ]);
  });

  it('expands two wildcards depth first (item by item)', () => {
    expect(valuesAt(value, ['spec', 'hooks', '*', 'more', '*', 't']).map((v) => v.value)).toEqual(['a', 'b', 'c']);
  });

  it('takes every key of a map', () => {
    expect(valuesAt(value, ['spec', 'byName', '*', 't'])).toEqual([
      { at: ['spec', 'byName', 'x', 't'], value: '1s' },
      { at: ['spec', 'byName', 'y', 't'], value: '2s' },
    ]);
  });

  it('does not reach inherited properties or through scalars', () => {
    expect(valuesAt({ spec: 'text' }, ['spec', 'length'])).toEqual([]);
    expect(valuesAt({}, ['constructor', 'name'])).toEqual([]);
    expect(valuesAt(value, [])).toEqual([{ at: [], value }]);
  });
});
