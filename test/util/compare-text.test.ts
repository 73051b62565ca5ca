// compareText replaces localeCompare in the hot sorts (file names, diagnostics, changes): the order
// users see must not change.
import { describe, expect, it } from 'vitest';
import { compareText } from '../../src/util/compare-text.js';

const names = [
  'b.yaml',
  'B.yaml',
  'a.yaml',
  'A.yaml',
  'ä.yaml',
  'z.yaml',
  'é.yaml',
  'e.yaml',
  '10.yaml',
  '9.yaml',
  '_x.yaml',
  '-x.yaml',
  '.x.yaml',
  'x y.yaml',
  'x-y.yaml',
  'x_y.yaml',
  'bench-000010.yaml',
  'bench-000009.yaml',
  '中.yaml',
  '',
];

describe('compareText', () => {
  it('orders names exactly as localeCompare does', () => {
    expect([...names].sort(compareText)).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    for (const a of names)
      for (const b of names) expect(Math.sign(compareText(a, b))).toBe(Math.sign(a.localeCompare(b)));
  });
});
