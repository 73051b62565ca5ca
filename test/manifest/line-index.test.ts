// The line index (src/manifest/read/line-index.ts) puts every key and value where `yaml` puts it, for
// every path of every document of the files the fast path reads; and it declines what it is not
// sure of, so those files keep asking `yaml`.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fastParseDocuments } from '../../src/manifest/read/fast-yaml.js';
import { LineIndex, UNSURE } from '../../src/manifest/read/line-index.js';
import { parseYamlText } from '../../src/manifest/read/load-files.js';
import { locatePath } from '../../src/manifest/read/yaml-position.js';

type Seg = string | number;

/** Every path of a plain value, and one step past each leaf (not found: the deepest ancestor). */
function paths(value: unknown, at: Seg[] = []): Seg[][] {
  const out: Seg[][] = [at, [...at, 'missing']];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

/** Every path located as `yaml` locates it, asked top down and (on a fresh parse: the index reads lazily) bottom up. */
function samePositions(text: string): void {
  const slow = parseYamlText('f.yaml', text, []);
  for (const order of ['top down', 'bottom up']) {
    const fast = fastParseDocuments('f.yaml', text);
    expect(fast, 'the fast path reads it').toBeDefined();
    expect(fast!.map((d) => d.positions !== undefined)).toEqual(fast!.map(() => true));
    const docs = fast!.map((doc, i) => [doc, i] as const);
    for (const [doc, i] of order === 'top down' ? docs : docs.reverse()) {
      const all = paths(doc.value);
      for (const p of order === 'top down' ? all : all.reverse())
        for (const atKey of [false, true])
          expect([order, p, atKey, locatePath(doc, p, atKey)]).toEqual([
            order,
            p,
            atKey,
            locatePath(slow[i], p, atKey),
          ]);
    }
  }
}

const examples = readdirSync('examples', { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => path.join('examples', f))
  .filter((f) => fastParseDocuments(f, readFileSync(f, 'utf8')) !== undefined);

describe('line index', () => {
  it('reads some examples', () => expect(examples.length).toBeGreaterThan(3));

  it.each(examples)('matches yaml on %s', (file) => samePositions(readFileSync(file, 'utf8')));

  it.each([
    ['flow maps and sequences', 'a: { mode: time, after: 24h }\nb: [x, y , [z]]\nc: {k: [1, 2], l: {m: n}}\n'],
    ["sequences at their key's column", 'a:\n- x\n- y\nb: 1\n'],
    ['sequences of maps', 'list:\n  - name: a   # first\n    status: on\n  - name: b\n  - - nested\n    - again\n'],
    [
      'comments and quotes',
      '# head\n\nk: "quoted # not a comment"\nl: \'single\'  # tail\n  # indented comment\nm: plain text\n',
    ],
    ['two documents', '---\na: 1\nb:\n  c: 2\n---\nd: [3]\n...\n'],
    ['a document without a marker, then one', 'a: 1\n---\nb: 2\n'],
    [
      'quoted entries in flow collections',
      'labels: { team: payments, partner: "p-1" }\nkeys:\n  - { name: "2026-q4", status: active }\na: [\'x\'\'y\', "z\\u00e9 \\"q\\""]\nm: { "k": v, \'l\' : [ "w" ] }\n',
    ],
    ['unicode before a value', 'name: 카카오뱅크 온보딩\nnext: { k: v }\n'],
  ])('matches yaml: %s', (_, text) => samePositions(text));

  it.each([
    ['an empty value', 'a:\nb: 1\n'],
    ['an empty value at the end', 'a: 1\nb:\n'],
    ['a flow entry without a value', 'a: { b }\n'],
    ['a pair inside a flow sequence', 'a: [b: c]\n'],
  ])('declines %s', (_, text) =>
    // A path the document does not hold: the index reads the whole file to say so, and cannot.
    expect(new LineIndex(text).document(0).start(['missing'], false)).toBe(UNSURE),
  );

  it('answers from the lines above a line it does not read, and declines from that line on', () => {
    const text = 'x: 1\ny: { k: v }\nempty:\nz: 2\n';
    const [doc] = fastParseDocuments('f.yaml', text)!;
    expect(doc.positions!.start(['y', 'k'], true)).toBe(text.indexOf('k:'));
    expect(doc.positions!.start(['z'], true)).toBe(UNSURE);
    // Once unsure, `yaml` answers (the same places).
    const [slow] = parseYamlText('f.yaml', text, []);
    for (const p of [['x'], ['y', 'k'], ['z'], ['empty']])
      expect(locatePath(doc, p, true)).toEqual(locatePath(slow, p, true));
  });

  it('declines a file whose documents it counts differently from the parser', () => {
    const index = new LineIndex('a: 1\n---\nb: 2\n', 3);
    expect(index.document(0).start(['a'], true)).toBe(0);
    expect(index.document(1).start(['missing'], true)).toBe(UNSURE);
  });
});
