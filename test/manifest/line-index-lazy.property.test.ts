// The line index (src/manifest/read/line-index.ts) reads a file only as far as each question needs
// and answers UNSURE from the first line it cannot read. Its claim: an answer given from the lines
// read so far is the one `yaml` gives for the whole file, whatever order the questions come in and
// whichever document they are about. This checks it on generated multi-document files the fast
// path accepts (block and flow collections, quotes, comments, anchors and aliases, `---` and `...`,
// odd indentation, sequences at their key's column), with lines the index cannot read (empty
// values, multi-line plain scalars, flow entries without a value) at random points: every path of
// every document, and a missing child of each node, located in a random order across documents (a
// fresh index per order) must be where `yaml` locates it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastParseDocuments } from '../../src/manifest/read/fast-yaml.js';
import { UNSURE } from '../../src/manifest/read/line-index.js';
import { parseYamlText } from '../../src/manifest/read/load-files.js';
import { locatePath, type ParsedDocument } from '../../src/manifest/read/yaml-position.js';

type Seg = string | number;
interface Question {
  doc: number;
  path: Seg[];
  atKey: boolean;
}

// ---- Documents as trees with their layout chosen ------------------------------------------------

/** A line put before an entry or item: a comment at some column, or a blank line (perhaps of spaces). */
type Aside = { comment: string; col: number } | 'blank' | '   ' | null;
/** A plain scalar's continuation line (`- word`, more indented than its collection: "x - word"). */
type Continuation = { extra: number; word: string } | null;

type Node =
  | {
      kind: 'scalar';
      text: string;
      anchor: boolean;
      continuation: Continuation;
      comment: string;
    }
  | { kind: 'flow'; text: string; anchor: boolean; comment: string }
  | { kind: 'alias'; pick: number; comment: string }
  | { kind: 'null'; comment: string }
  | {
      kind: 'map';
      entries: { key: string; value: Node; aside: Aside }[];
      indent: number;
      comment: string;
    }
  | {
      kind: 'seq';
      items: { value: Node; aside: Aside }[];
      indent: number;
      atKeyColumn: boolean;
      dash: string;
      comment: string;
    };

const commentText = fc.constantFrom('', 'note', ' x: y', '- item', '---', '"q"', "it's", '#', 'é 中 😀', 'a: [b]');
/** After a value: nothing, trailing spaces, or a comment. */
const trailingComment = fc.oneof(
  { weight: 8, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom(' ', '   ') },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom(' ', '  '), commentText).map(([s, t]) => `${s}#${t}`),
  },
);
const aside: fc.Arbitrary<Aside> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom('blank' as const, '   ' as const) },
  {
    weight: 1,
    arbitrary: fc.record({ comment: commentText, col: fc.nat({ max: 6 }) }),
  },
);

const KEYS = ['id', 'name', 'spec', 'status', 'a', 'b', 'c', 'k.x', 'c_d', 'e-f', 'x/y', 'Z', '_u', 'labels'];
const key = fc.oneof(
  fc.constantFrom(...KEYS),
  fc.stringMatching(/^[a-z][a-z0-9_]{0,4}$/).filter((k) => !['null', 'true', 'false', 'missing'].includes(k)),
);

const plainWord = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9]{0,5}(?:[ ._/+-][a-z0-9]{1,4}){0,2}$/),
  fc.constantFrom(
    '12',
    '1.5',
    '-3',
    '.5',
    '0x1F',
    '1e3',
    'true',
    'null',
    'x:y',
    'ops@x.example',
    'é ü',
    '中文',
    '-x',
    'a,b',
  ),
);
const doubleQuoted = fc
  .array(fc.constantFrom('a', ' ', '#', ': ', '- ', '\\"', '\\\\', '\\n', '\\u00e9', "'", ',', '[', '}', 'é'), {
    maxLength: 6,
  })
  .map((parts) => `"${parts.join('')}"`);
const singleQuoted = fc
  .array(fc.constantFrom('a', ' ', '#', ': ', "''", '"', ',', ']', 'ü'), {
    maxLength: 6,
  })
  .map((parts) => `'${parts.join('')}'`);

const flowPlain = fc.oneof(
  fc.stringMatching(/^[a-z0-9][a-z0-9_./+]{0,4}(?: [a-z0-9_./+-]{1,3})?$/),
  fc.constantFrom('x@y', 'a-@b', '-1', '1.5', 'true', 'null'),
);
const flowScalar = fc.oneof({ weight: 3, arbitrary: flowPlain }, doubleQuoted, singleQuoted);
const flowKey = fc.oneof(
  { weight: 3, arbitrary: key },
  key.map((k) => `"${k}"`),
  key.map((k) => `'${k}'`),
);
const unquote = (k: string) => (k.startsWith('"') || k.startsWith("'") ? k.slice(1, -1) : k);
const sep = fc.constantFrom(', ', ',', ' , ', ',  ');
const pad = fc.constantFrom('', ' ');
const { flow } = fc.letrec<{ flow: string; seq: string; map: string }>((tie) => ({
  flow: fc.oneof({ maxDepth: 2, depthIdentifier: 'flow' }, tie('seq'), tie('map')),
  seq: fc
    .tuple(
      fc.array(fc.oneof({ depthIdentifier: 'flow' }, flowScalar, flowScalar, tie('flow')), { maxLength: 3 }),
      sep,
      pad,
      fc.boolean(),
    )
    .map(([items, s, p, trailing]) => `[${p}${items.join(s)}${trailing && items.length ? ',' : ''}${p}]`),
  map: fc
    .tuple(
      fc.uniqueArray(fc.tuple(flowKey, fc.oneof({ depthIdentifier: 'flow' }, flowScalar, flowScalar, tie('flow'))), {
        maxLength: 3,
        selector: ([k]) => unquote(k),
      }),
      sep,
      pad,
    )
    .map(([entries, s, p]) => `{${p}${entries.map(([k, v]) => `${k}: ${v}`).join(s)}${p}}`),
}));
/** Flow collections `yaml` reads but the index does not (an entry without a value, a pair in a sequence). */
const unreadableFlow = fc.constantFrom('{ k: }', '{k}', '[k: v]', '["k": v]', '{ a: 1, b: }', '[x, y: z]');

const continuation: fc.Arbitrary<Continuation> = fc.oneof(
  { weight: 20, arbitrary: fc.constant(null) },
  {
    weight: 1,
    arbitrary: fc.record({ extra: fc.nat({ max: 2 }), word: plainWord }),
  },
);

const scalarNode: fc.Arbitrary<Node> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('scalar' as const),
      text: plainWord,
      anchor: fc.boolean(),
      continuation,
      comment: trailingComment,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('scalar' as const),
      text: fc.oneof(doubleQuoted, singleQuoted),
      anchor: fc.boolean(),
      continuation: fc.constant(null),
      comment: trailingComment,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('flow' as const),
      text: fc.oneof({ weight: 20, arbitrary: flow }, unreadableFlow),
      anchor: fc.boolean(),
      comment: trailingComment,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('alias' as const),
      pick: fc.nat(),
      comment: trailingComment,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('null' as const),
      comment: trailingComment,
    }),
  },
);

const { map: blockMap, seq: blockSeq } = fc.letrec<{ node: Node; map: Node; seq: Node }>((tie) => ({
  node: fc.oneof({ maxDepth: 3, depthIdentifier: 'block', withCrossShrink: true }, scalarNode, tie('map'), tie('seq')),
  map: fc.record({
    kind: fc.constant('map' as const),
    entries: fc.uniqueArray(fc.record({ key, value: tie('node'), aside }), {
      minLength: 1,
      maxLength: 4,
      selector: (e) => e.key,
    }),
    indent: fc.integer({ min: 1, max: 4 }),
    comment: trailingComment,
  }),
  seq: fc.record({
    kind: fc.constant('seq' as const),
    items: fc.array(fc.record({ value: tie('node'), aside }), {
      minLength: 1,
      maxLength: 3,
    }),
    indent: fc.integer({ min: 1, max: 4 }),
    atKeyColumn: fc.boolean(),
    dash: fc.constantFrom('- ', '- ', '-  ', '-   '),
    comment: trailingComment,
  }),
}));

/** Renders one document's lines; anchors are named across the file (`&aN`), aliases name one defined above. */
class Renderer {
  lines: string[] = [];
  private anchors: string[] = [];
  constructor(private readonly counter: { next: number }) {}

  startDocument(): void {
    this.anchors = [];
  }

  private aside(a: Aside): void {
    if (a === 'blank') this.lines.push('');
    else if (a === '   ') this.lines.push(a);
    else if (a) this.lines.push(`${' '.repeat(a.col)}#${a.comment}`);
  }

  /** The text of a one-line value after `key: ` or `- `, and the lines continuing it. */
  private inline(node: Node, containerCol: number): { text: string; more: string[] } {
    switch (node.kind) {
      case 'null':
        return { text: 'null', more: [] };
      case 'alias':
        return this.anchors.length
          ? {
              text: `*${this.anchors[node.pick % this.anchors.length]}${node.comment}`,
              more: [],
            }
          : { text: `plain${node.comment}`, more: [] };
      case 'scalar':
      case 'flow': {
        let anchor = '';
        if (node.anchor) {
          const name = `a${this.counter.next++}`;
          this.anchors.push(name);
          anchor = `&${name} `;
        }
        const cont = node.kind === 'scalar' ? node.continuation : null;
        if (cont)
          return {
            text: `${anchor}${node.text}`,
            more: [`${' '.repeat(containerCol + 1 + cont.extra)}- ${cont.word}`],
          };
        return { text: `${anchor}${node.text}${node.comment}`, more: [] };
      }
      default:
        return { text: node.kind === 'map' ? '{}' : '[]', more: [] };
    }
  }

  /** A block map whose keys sit at `col`; `first` replaces the first line's indentation (`- ` of a compact entry). */
  map(node: Extract<Node, { kind: 'map' }>, col: number, first?: string): void {
    node.entries.forEach(({ key: k, value, aside }, i) => {
      const compact = i === 0 && first !== undefined;
      if (!compact) this.aside(aside);
      const prefix = compact ? first : ' '.repeat(col);
      if (value.kind === 'null') this.lines.push(`${prefix}${k}:${value.comment}`);
      else if (value.kind === 'map' && value.entries.length) {
        this.lines.push(`${prefix}${k}:${value.comment}`);
        this.map(value, col + value.indent);
      } else if (value.kind === 'seq' && value.items.length) {
        this.lines.push(`${prefix}${k}:${value.comment}`);
        this.seq(value, value.atKeyColumn ? col : col + value.indent);
      } else {
        const { text, more } = this.inline(value, col);
        this.lines.push(`${prefix}${k}: ${text}`, ...more);
      }
    });
  }

  /** A block sequence whose dashes sit at `col`. */
  seq(node: Extract<Node, { kind: 'seq' }>, col: number, first?: string): void {
    node.items.forEach(({ value, aside }, i) => {
      const compact = i === 0 && first !== undefined;
      if (!compact) this.aside(aside);
      const prefix = `${compact ? first : ' '.repeat(col)}${node.dash}`;
      const contentCol = col + node.dash.length;
      if (value.kind === 'map' && value.entries.length) this.map(value, contentCol, prefix);
      else if (value.kind === 'seq' && value.items.length) this.seq(value, contentCol, prefix);
      else {
        const { text, more } = this.inline(value, col);
        this.lines.push(`${prefix}${text}`, ...more);
      }
    });
  }
}

const documentSpec = fc.record({
  root: fc.oneof({ weight: 3, arbitrary: blockMap }, blockSeq),
  rootCol: fc.constantFrom(0, 0, 0, 1, 2),
  separator: fc.constantFrom('---', '---', '...\n---', '...', '...\n# between\n---', '---\n# first line', '\n---\n'),
});

const yamlFile = fc
  .record({
    docs: fc.array(documentSpec, { minLength: 1, maxLength: 3 }),
    head: fc.constantFrom('', '---', '# head\n---', '---\n# head', '\n'),
    tail: fc.constantFrom('', '', '...', '# tail', '\n'),
    finalNewline: fc.boolean(),
  })
  .map(({ docs, head, tail, finalNewline }) => {
    const r = new Renderer({ next: 0 });
    if (head) r.lines.push(head);
    docs.forEach(({ root, rootCol, separator }, i) => {
      if (i > 0) r.lines.push(separator);
      r.startDocument();
      if (root.kind === 'map') r.map(root, rootCol);
      else if (root.kind === 'seq') r.seq(root, rootCol);
    });
    if (tail) r.lines.push(tail);
    return r.lines.join('\n') + (finalNewline ? '\n' : '');
  });

// ---- The property -------------------------------------------------------------------------------

/** Every path of a plain value, with a missing child of each node (`missing`, and one index past a list's end). */
function paths(value: unknown, at: Seg[] = []): Seg[][] {
  const out: Seg[][] = [at, [...at, 'missing']];
  if (Array.isArray(value)) {
    out.push([...at, value.length]);
    value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  } else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

function questionsOf(docs: readonly ParsedDocument[]): Question[] {
  return docs.flatMap((d, doc) =>
    paths(d.value).flatMap((path) => [false, true].map((atKey) => ({ doc, path, atKey }))),
  );
}

/** Accepted files with their questions in a few random orders (each asked of a fresh index). */
const askedInRandomOrders = yamlFile
  .filter((text) => fastParseDocuments('f.yaml', text) !== undefined)
  .chain((text) => {
    const questions = questionsOf(fastParseDocuments('f.yaml', text)!);
    const n = questions.length;
    return fc.record({
      text: fc.constant(text),
      orders: fc.array(fc.shuffledSubarray(questions, { minLength: n, maxLength: n }), {
        minLength: 1,
        maxLength: 3,
      }),
    });
  });

const stats = { files: 0, questions: 0, fromIndex: 0 };

/** Asks every question in `order` of a fresh fast parse; each answer must be `yaml`'s. */
function answersMatchYaml(text: string, orders: readonly Question[][]): void {
  const slow = parseYamlText('f.yaml', text, []);
  stats.files++;
  for (const order of orders) {
    const fast = fastParseDocuments('f.yaml', text)!;
    expect(fast.length).toBe(slow.length);
    order.forEach(({ doc, path, atKey }, step) => {
      const got = locatePath(fast[doc], path, atKey);
      const want = locatePath(slow[doc], path, atKey);
      if (JSON.stringify(got) !== JSON.stringify(want))
        expect.fail(
          `document ${doc}, path ${JSON.stringify(path)}, atKey ${atKey} (question ${step + 1}; asked before: ${JSON.stringify(order.slice(0, step).map((q) => [q.doc, q.path, q.atKey]))}):\n` +
            `index ${JSON.stringify(got)}, yaml ${JSON.stringify(want)} in:\n${JSON.stringify(text)}`,
        );
      stats.questions++;
      if (fast[doc].positions!.start(path, atKey) !== UNSURE) stats.fromIndex++;
    });
  }
}

/** Every question on `text` in `count` random orders (seeded: the same orders each run). */
function matchesYamlInRandomOrders(text: string, count = 20): void {
  expect(fastParseDocuments('f.yaml', text), `the fast path reads:\n${text}`).toBeDefined();
  const questions = questionsOf(fastParseDocuments('f.yaml', text)!);
  const n = questions.length;
  const orders = fc.sample(fc.shuffledSubarray(questions, { minLength: n, maxLength: n }), { numRuns: count, seed: 1 });
  answersMatchYaml(text, [questions, [...questions].reverse(), ...orders]);
}

describe('the lazy line index answers as yaml does, in any order of questions', () => {
  it('on generated multi-document files, with lines it cannot read at random points', () => {
    Object.assign(stats, { files: 0, questions: 0, fromIndex: 0 });
    fc.assert(
      fc.property(askedInRandomOrders, ({ text, orders }) => answersMatchYaml(text, orders)),
      { numRuns: 150 },
    );
    // The generator is worth something only if the fast path takes its files and the index answers
    // a good share of the questions itself (the rest fall back to `yaml`).
    expect(stats.files).toBe(150);
    expect(stats.fromIndex).toBeGreaterThan(stats.questions / 10);
    expect(stats.fromIndex).toBeLessThan(stats.questions);
  });

  it.each([
    ['a separator at the start and a document end at the end', '---\na: 1\nb: [x]\n...\n'],
    ['a separator at the start, no final newline', '---\na: 1'],
    ['a document end with no final newline', 'a: 1\n...'],
    ['comments before the first separator and between documents', '# head\n---\na: 1\n...\n# between\n---\nb: 2\n'],
    ['a bare document after a document end', 'a: 1\n...\nb: [2]\n...\nc: {d: e}\n'],
    ['sequences at their key column', 'a:\n- x\n- y: 1\n  z: 2\nb:\n  c:\n  - 3\n  d: 4\n---\n- a:\n  - b\n'],
    ['keys at odd indentation', 'a:\n   b: 1\n   c:\n    d: 2\n   e: 3\nf:\n     - x\n'],
    ['an indented root', '  a: 1\n  b:\n     c: 2\n---\n - x\n - y\n'],
    ['dashes followed by several spaces', '-   a: 1\n    b: 2\n-  - x\n   -   y\n'],
    [
      'aliases of anchored scalars and flow collections',
      'a: &x one\nb: &y { k: [v, w] }\nc: *x\nd:\n  - *y\n  - &z "q"\ne: *z # c\n',
    ],
    ['an empty value followed by a key, asked below it', 'a: 1\nb:\nc: {d: 2}\n---\ne: [f]\n'],
    ['an empty value at the end of a document', 'a: [1]\nb:\n---\nc: 2\n'],
    ['an empty value in the last document', 'a: 1\n---\nb: {c: d}\ne:\n'],
    ['a multi-line plain scalar', 'a: x\n - y\nb: z\n---\n- p\n  - q\n- r\n'],
    ['a multi-line plain scalar across a blank line', 'a: x\n\n  - y\nb: 1\n'],
    ['a flow entry without a value', 'a: [1]\nb: {c: }\nd: 2\n---\ne: {f}\n'],
    ['a pair inside a flow sequence', 'a: 1\nb: [c: d]\n---\ne: 2\n'],
    ['a key named like the missing child asked for', 'missing: 1\nb:\n  missing: [1, 2]\n'],
    [
      'unicode and astral characters before values',
      'n: 카카오 뱅크\nm: { k: "é😀" }\n# 😀\no: [中, 文] # 😀\np: \'😀\'\n',
    ],
    ['anchors and aliases followed by several spaces', 'a: &x   [1, {b: c}]\nd:   *x   \ne: &y    p q\nf:  *y\n'],
    ['lines of spaces and trailing spaces', 'a: 1   \n   \nb:   \n  c: 2  \n\n  d: [x]  # c\n'],
    ['an unreadable line in a middle document', 'a: 1\n---\nb:\nc: 2\n---\nd: 3\n'],
    [
      'quoted strings with comment and separator characters',
      'a: "# not --- a comment"\nb: \'x: y\'\nc: ["]", \'}\']\n',
    ],
  ])('on %s', (_, text) => matchesYamlInRandomOrders(text));

  it.each([
    ['a separator with a trailing space', 'a: 1\n--- \nb: 2\n'],
    ['a separator with a trailing space at the start', '--- \na: 1\n'],
    ['a document of only comments between separators', 'a: 1\n---\n# only a comment\n---\nb: 2\n'],
    ['a separator at the end', 'a: 1\n---\n'],
    ['CRLF line endings', 'a: 1\r\nb:\r\n  c: 2\r\n'],
    ['a byte order mark', '\ufeffa: 1\nb: 2\n'],
    ['a tab before a value', 'a:\t1\n'],
    ['a tab before a comment', 'a: 1\t# c\n'],
  ])('leaves %s to yaml (the fast path declines it)', (_, text) =>
    expect(fastParseDocuments('f.yaml', text)).toBeUndefined(),
  );
});
