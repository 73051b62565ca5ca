// The fast parser (js-yaml with a core-like schema) against `yaml`, the parser that defines what a
// manifest means: whenever the fast path answers, `yaml` must accept the same text without a
// problem and give the same values. When the fast path is unsure it answers nothing, which is
// always safe (the file then goes through `yaml`).
import fc from 'fast-check';
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { locatePath } from '../../src/manifest/read/yaml-position.js';
import { stringify } from 'yaml';
import type { Diagnostic } from '../../src/manifest/diagnostic.js';
import { fastParseDocuments } from '../../src/manifest/read/fast-yaml.js';
import { checkHostileValues } from '../../src/manifest/check/hostile-values.js';
import { parseYamlText } from '../../src/manifest/read/load-files.js';
import { locate } from '../../src/manifest/read/yaml-position.js';
import { depth } from '../helpers/deep.js';

/** What `yaml` makes of the text, as readManifestFile's slow path sees it. */
function slow(text: string): { values: unknown[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const docs = parseYamlText('f.yaml', text, diagnostics);
  for (const d of docs) diagnostics.push(...checkHostileValues(d));
  return { values: docs.map((d) => d.value), diagnostics };
}

let answered = 0;

/** The property itself: the fast path answers only what `yaml` would, or nothing. */
function agrees(text: string): boolean {
  const fast = fastParseDocuments('f.yaml', text);
  if (!fast) return false;
  answered++;
  const reference = slow(text);
  expect(reference.diagnostics, `yaml reports problems the fast path missed in:\n${text}`).toEqual([]);
  expect(
    fast.map((d) => d.value),
    `values differ for:\n${text}`,
  ).toEqual(reference.values);
  const yamlDocs = parseYamlText('f.yaml', text, []);
  expect(fast.map((d) => d.index)).toEqual(yamlDocs.map((d) => d.index));
  // Positions from the line index, when it reads the file, are yaml's own.
  fast.forEach((doc, i) => {
    if (!doc.positions) return;
    for (const at of everyPath(doc.value))
      for (const atKey of [false, true])
        expect(locatePath(doc, at, atKey), `position of ${JSON.stringify(at)} in:\n${text}`).toEqual(
          locatePath(yamlDocs[i], at, atKey),
        );
  });
  return true;
}

function everyPath(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at, [...at, 'missing']];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...everyPath(v, [...at, i])));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...everyPath(v, [...at, k]));
  return out;
}

// Scalars chosen where YAML parsers tend to disagree: 1.1 booleans, underscores, octal and hex
// forms, infinities, things that look like keys, comments, documents or flow syntax.
const trickyScalar = fc.constantFrom(
  'yes',
  'no',
  'on',
  'off',
  'y',
  'Y',
  'True',
  'TRUE',
  'tRUE',
  'null',
  'Null',
  'NULL',
  '~',
  '',
  '1_000',
  '0o17',
  '017',
  '0x1F',
  '0X1F',
  '0b101',
  '+12',
  '-0',
  '1e3',
  '1E+3',
  '.5',
  '5.',
  '1.0',
  '.inf',
  '-.Inf',
  '.NaN',
  '.nan',
  '2001-12-14',
  '12:30:00',
  '1:20',
  'a: b',
  'a #b',
  '#c',
  '- x',
  '---',
  '...',
  '{a}',
  '[a]',
  'a,b',
  '"q"',
  "'s'",
  '|',
  '>',
  '  lead',
  'trail  ',
  'multi\nline',
  'multi\n\nblank',
  'tab\there',
  'é ü 中 😀',
  '\\n',
  '@at',
  'ops@x.example',
  'a@',
  '@',
  '-@x',
  '.@x',
  '`tick',
  '%pct',
  '? q',
  'a:b',
  '<<',
);
const scalar = fc.oneof(
  trickyScalar,
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
);
const key = fc.oneof(
  fc.constantFrom('id', 'name', 'spec', 'a.b', 'x-y', '1', '01', 'true', 'null', '', ' ', 'a b', 'é', '<<', '-k', '?k'),
  fc.string({ minLength: 1, maxLength: 8 }),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ maxDepth: 4 }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
})).node;

const yamlStyles = fc.record({
  collectionStyle: fc.constantFrom('any', 'block', 'flow') as fc.Arbitrary<'any' | 'block' | 'flow'>,
  defaultStringType: fc.constantFrom(
    'PLAIN',
    'QUOTE_DOUBLE',
    'QUOTE_SINGLE',
    'BLOCK_LITERAL',
    'BLOCK_FOLDED',
  ) as fc.Arbitrary<'PLAIN'>,
  defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE') as fc.Arbitrary<null>,
  lineWidth: fc.constantFrom(0, 20, 80),
  indent: fc.constantFrom(2, 4),
});

/** Random text from YAML's own pieces: most of it invalid, some of it surprising. */
const yamlish = fc
  .array(
    fc.constantFrom(
      'a',
      'b: ',
      'key: value',
      ': ',
      ':',
      '- ',
      '-',
      '  ',
      '    ',
      '\n',
      '\n',
      '\n',
      '#',
      ' # c',
      '"',
      "'",
      '\\',
      '"\\x41"',
      '"\\u00e9"',
      '"\\0"',
      '{',
      '}',
      '[',
      ']',
      ', ',
      '|',
      '|-',
      '>',
      '>+',
      '---',
      '...',
      '1',
      '0x1',
      '1_0',
      'true',
      'yes',
      '~',
      'null',
      '?',
      '@',
      '`',
      '%',
      '\u00a0',
      '\u2028',
      '\u0085',
      'é',
      '\ud800',
      '\u0007',
      '\ufeff',
      'x',
      '&a ',
      '*a',
      '&b',
      '*b ',
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

/** Lines shaped like the fast subset (indent, dashes, a key, a value, a comment), with tricky values. */
const subsetWord = fc.oneof(trickyScalar, fc.stringMatching(/^[a-z0-9 .:/_+'(),{}[\]#"@;!?&*%$=~-]{0,10}$/));
const subsetLine = fc
  .tuple(
    fc.constantFrom('', '  ', '    ', ' '),
    fc.constantFrom('', '- ', '- - ', '-  '),
    fc.option(fc.constantFrom('a', 'b', 'k.x', 'c_d', 'e-f')),
    subsetWord,
    fc.constantFrom('', '', ' # c', '  #', '#x'),
    // Anchors and aliases as people use them (`&name value`, `*name` as the whole value) and broken
    // ones, on one line in five.
    fc.oneof(
      { weight: 4, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: fc.constantFrom('&a ', '&b ', '&a', '*a', '*b', '*a ', '&x-1 ', '*x-1', '*', '& ') },
    ),
  )
  .map(([indent, dash, k, v, comment, anchor]) => {
    const node = anchor.startsWith('*') ? anchor : `${anchor}${v}`;
    return `${indent}${dash}${k === null ? '' : `${k}: `}${node}${comment}`;
  });
const subsetText = fc
  .array(fc.oneof(subsetLine, fc.constantFrom('---', '...', '', '# note')), { minLength: 1, maxLength: 8 })
  .map((ls) => ls.join('\n'));

describe('the fast YAML path agrees with yaml', () => {
  it('on text shaped like the fast subset, and answers for a good share of it', () => {
    answered = 0;
    fc.assert(
      fc.property(subsetText, (text) => {
        agrees(text);
      }),
      { numRuns: 4000 },
    );
    expect(answered).toBeGreaterThan(200);
  });

  it('on values written by yaml in every style', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 3 }), yamlStyles, (docs, options) => {
        const text = docs.map((d) => stringify(d, options)).join('---\n');
        agrees(text);
      }),
      // a fifth by default; ARGOS_DEEP=1 runs them all (test/helpers/deep.ts)
      { numRuns: depth(1500) },
    );
  });

  it('on values written by js-yaml', () => {
    fc.assert(
      fc.property(value, fc.boolean(), (doc, flow) => {
        agrees(jsYaml.dump(doc, { flowLevel: flow ? 1 : -1, noCompatMode: true }));
      }),
      { numRuns: depth(1000) },
    );
  });

  it('on random text made of YAML syntax', () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        agrees(text);
      }),
      { numRuns: depth(4000) },
    );
  });

  it('answers for an ordinary manifest, so the fast path is actually taken', () => {
    const manifest =
      'apiVersion: argosctl/v1\nkind: Project\nmetadata:\n  id: a\n  labels: { team: t1 }\nspec:\n  status: OPEN\n' +
      '  ipWhitelist: [10.0.0.0/8]  # office\n  n: 18\n  r: 0.5\n  off: false\n  keys: [{ name: k1, status: active }]\n' +
      "  admins:\n    - email: ops@bank.example\n  q: \"it\\u00e9s\"\n  s: 'it''s'\n---\nkind: Other\n";
    expect(agrees(manifest)).toBe(true);
  });

  it('answers for addresses inside flow collections (admins: [{ email: ops@x.example }])', () => {
    for (const text of [
      'admins: [{ email: dev4@app.example }]\n',
      'a: [x@y, "q@r", z.@w]\n',
      'a: { e: ops@x.example, f: a-@b }\n',
    ])
      expect(agrees(text), text).toBe(true);
  });

  it.each([
    ['an anchor on a block collection', 'a: &x\n  b: 1\nc: *x\n'],
    ['an alias inside a flow collection', 'a: &x 1\nb: [*x]\n'],
    ['an alias before its anchor', 'b: *x\na: &x 1\n'],
    ['an anchor defined twice', 'a: &x 1\nb: &x 2\nc: *x\n'],
    ['more than 100 aliases', `a: &x 1\n${Array.from({ length: 101 }, (_, i) => `k${i}: *x`).join('\n')}\n`],
    ['a merge of an alias', 'a: &x {b: 1}\nc:\n  <<: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a block scalar', 'a: |\n  two\n  lines\n'],
    ['a multi-line plain scalar', 'a: one\n  two\n'],
    ['a document marker glued to text', '---a\n'],
    ['carriage returns', 'a: 1\r\n'],
    ['a YAML 1.1 directive', '%YAML 1.1\n---\na: yes\n'],
    ['a tab', 'a:\t1\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['an empty document', 'a: 1\n---\n'],
    ['a null key', '~: 1\n'],
    ['a numeric key', '1.0: x\n'],
    ['a flow-collection key', '[a, b]: x\n'],
    ['a merge key', '<<: {a: 1}\n'],
    ['a reserved key', 'constructor: 1\n'],
    ['a NUL escape', 'a: "x\\0y"\n'],
    ['a lone surrogate escape', 'a: "\\ud800"\n'],
    ['a collection over the limit', `a: [${Array.from({ length: 1001 }, (_, i) => i).join(', ')}]\n`],
    ['nesting over the limit', `a: ${'['.repeat(40)}${']'.repeat(40)}\n`],
    ['invalid YAML', 'a: [1, 2\n'],
    ['an @ first in a flow scalar', 'a: [@x]\n'],
    ['an @ first in a flow value', 'a: { e: @x }\n'],
  ])('leaves %s to yaml', (_name, text) => {
    expect(fastParseDocuments('f.yaml', text)).toBeUndefined();
  });

  it('takes one-line anchored values and their aliases as people write them (flow maps, lists, scalars), as yaml reads them', () => {
    const text = [
      '# shared settings',
      'spec:',
      '  a:',
      '    userPolicy: &policy { scoreThreshold: conservative, ageLimit: 18 }  # the bank default',
      '    faceMatch: &face { enabled: true, threshold: 85 }',
      '    label: &label "KYC"',
      '  b:',
      '    userPolicy: *policy',
      '    faceMatch: *face # the same',
      '    label: *label',
      '  lists:',
      '    - &office [10.2.0.0/16]',
      '    - *office',
      '',
    ].join('\n');
    const fast = fastParseDocuments('f.yaml', text);
    expect(fast, 'the fast path answers').toBeDefined();
    expect(agrees(text)).toBe(true);
    expect(fast![0].positions, 'positions come from the line index').toBeDefined();
    expect(locate(fast![0], ['spec', 'b', 'userPolicy', 'ageLimit'])).toEqual({ line: 8, column: 17 });
  });

  it('parses with yaml for positions only when a position is asked for, and then finds the right line', () => {
    const [doc] = fastParseDocuments('f.yaml', 'a: 1\nb:\n  c: 2\n')!;
    expect(locate(doc, ['b', 'c'])).toEqual({ line: 3, column: 6 });
  });
});
