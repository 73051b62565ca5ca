// The fast path of stage 1: js-yaml (about 10× faster than `yaml` on manifests) with a schema
// that resolves plain scalars exactly as `yaml`'s YAML 1.2 core schema does. It answers only
// when it is sure; anything else (anchors and aliases, tags, directives, tabs, a key that is
// not plainly a string, a hostile value, a parser error) returns undefined and the file goes
// through `yaml`, which keeps positions and reports problems. Positions for a file taken on the
// fast path come from a line index (line-index.ts), or from `yaml` when the index is unsure.
import jsYaml from 'js-yaml';
import { Composer, LineCounter, Parser } from 'yaml';
import { MAX_COLLECTION_ITEMS, MAX_DEPTH, RESERVED_KEYS, stringProblem } from '../check/hostile-values.js';
import { MAX_ALIAS_COUNT } from '../limits.js';
import { LineIndex, type DocumentPositions } from './line-index.js';
import type { ParsedDocument } from './yaml-position.js';

const { FAILSAFE_SCHEMA, Type, loadAll } = jsYaml;

const scalar = (tag: string, test: RegExp, construct: (s: string) => unknown) =>
  new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (s: string | null) => s !== null && test.test(s),
    construct,
  });
const toInt = (s: string) => {
  if (s.startsWith('0o')) return parseInt(s.slice(2), 8);
  return s.startsWith('0x') ? parseInt(s.slice(2), 16) : parseInt(s, 10);
};
const toFloat = (s: string) => {
  if (/nan$/i.test(s)) return NaN;
  return /inf$/i.test(s) ? (s[0] === '-' ? -Infinity : Infinity) : parseFloat(s);
};

/** `yaml`'s core schema tests and conversions (node_modules/yaml/dist/schema/core), one for one. */
const CORE_LIKE_YAML = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', /^(?:~|[Nn]ull|NULL)?$/, () => null),
    scalar('bool', /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T'),
    scalar('int', /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/, toInt),
    scalar(
      'float',
      new RegExp(
        String.raw`^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN` +
          String.raw`|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$`,
      ),
      toFloat,
    ),
  ],
});

// The subset the fast path accepts, line by line: block mappings and sequences whose keys are
// plain names and whose values are one-line plain scalars, simple quoted strings or one-line flow
// collections of plain scalars and simple quoted strings, with comments and `---` separators. A
// one-line value may carry an anchor (`&policy { … }`) and a whole value may be an alias
// (`*policy`): an anchored value then holds no alias, so nothing expands more than once. No tabs,
// tags, anchors on block collections, aliases inside flow collections, merge keys, directives, block
// scalars or multi-line scalars: `yaml` reads those. Each pattern below matches in one pass (no
// nested repetition), so a long line cannot make it slow.
const KEY = '[A-Za-z_][A-Za-z0-9_./-]*';
const PLAIN_CHAR = String.raw`(?:[\p{L}\p{N}_./+'()@,;!?&*%$=~-]|:(?=[^ ]))`;
const PLAIN = String.raw`(?!-(?: |$))(?:[\p{L}\p{N}_./+-]|:(?=[^ ]))(?:${PLAIN_CHAR}| +(?=[^ #]))*`;
const DOUBLE = String.raw`"(?:[^"\\\p{Cc}\u2028\u2029\ufeff]|\\["\\/nt]|\\u[0-9a-fA-F]{4})*"`;
const SINGLE = String.raw`'(?:[^'\p{Cc}\u2028\u2029\ufeff]|'')*'`;
// Quoted scalars inside flow collections only as whole entries (after `[`, `{`, `,` or `: `, before
// `,`, `]`, `}` or `: `), so a quote never sits inside a plain scalar.
const FLOW_QUOTED = String.raw`(?<=[[{,] *|: +)(?:${DOUBLE}|${SINGLE})(?= *(?:[,\]}]|:(?= )))`;
// `@` only after a scalar's first character (an address: `[{ email: ops@x.example }]`); first, it is reserved.
const FLOW_AT = String.raw`(?<=[\p{L}\p{N}_.+-])@`;
const FLOW = String.raw`[[{](?:[\p{L}\p{N}_./+ ,[\]{}-]|:(?= )|${FLOW_AT}|${FLOW_QUOTED})*[\]}]`;
const VALUE = `(?:${PLAIN}|${DOUBLE}|${SINGLE}|${FLOW})`;
const NAME = '[A-Za-z0-9_-]+';
/** A value as a whole: one-line, perhaps anchored, or an alias. */
const NODE = `(?:(?:&${NAME} +)?${VALUE}|\\*${NAME})`;
const ENTRY = `(?:${KEY}:(?: +${NODE})?)`;
const COMMENT = String.raw`(?: +#[^\p{Cc}\u2028\u2029\ufeff]*)?`;
const LINE = new RegExp(
  `^(?: *(?:(?:- +)+(?:${ENTRY}|${NODE})|${ENTRY})${COMMENT} *| *(?:#[^\\p{Cc}\\u2028\\u2029\\ufeff]*)?|---|\\.\\.\\.)$`,
  'u',
);
const MAX_LINE = 1000;

function inFastSubset(text: string): boolean {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end - start > MAX_LINE || !LINE.test(text.slice(start, end))) return false;
    start = end + 1;
  }
  return true;
}

/** Anchors (`&name`) and aliases (`*name`) where the subset allows them: at the start of a value. */
const ANCHOR_OR_ALIAS = /(?:^ *(?:- +)+|: +)([&*])([A-Za-z0-9_-]+)/gm;

/**
 * Aliases are few and each anchor is defined once: `yaml` bounds alias expansion per anchor and
 * reads a redefined anchor its own way, so anything past that is left to it. Counted generously
 * (an `: &` inside a quoted string counts too): a false count only sends a file to `yaml`.
 */
function anchorsWithinBounds(text: string): boolean {
  if (!text.includes('&') && !text.includes('*')) return true;
  const anchors = new Set<string>();
  let aliases = 0;
  for (const [, sigil, name] of text.matchAll(ANCHOR_OR_ALIAS)) {
    if (sigil === '*') {
      if (++aliases > MAX_ALIAS_COUNT) return false;
    } else if (anchors.has(name)) return false;
    else anchors.add(name);
  }
  return true;
}

/** Keys that a plain scalar could turn into a non-string (null, bool, number) or a flow collection: `yaml` decides. */
const UNSURE_KEY = /^$|^[-+.~0-9]|^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE|<<)$|[,[\]{}]/;

/**
 * The hostile-value walk of hostile-values.ts over plain values: true when nothing would be
 * reported there (depth, collection size, reserved and unsure keys, NUL and lone surrogates).
 * It may refuse more than that walk (the file then goes through it), never less.
 */
function clean(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (typeof value === 'string') return stringProblem(value) === undefined;
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) {
    if (value.length > MAX_COLLECTION_ITEMS) return false;
    for (const item of value) if (!clean(item, depth + 1)) return false;
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  const keys = Object.keys(value);
  if (keys.length > MAX_COLLECTION_ITEMS) return false;
  for (const key of keys) {
    if (RESERVED_KEYS.has(key) || UNSURE_KEY.test(key) || stringProblem(key) !== undefined) return false;
    if (!clean((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/**
 * A document as the rest of stage 1 sees it; `doc` and `lineCounter` come from `yaml` on first
 * use (a problem to locate, a changed setting's line), shared by the file's documents.
 */
type YamlFile = { docs: ParsedDocument['doc'][]; lineCounter: LineCounter };

function lazyDocument(
  file: string,
  text: string,
  index: number,
  value: unknown,
  parseFile: () => YamlFile,
  indexFile: () => DocumentPositions,
): ParsedDocument {
  let positions: DocumentPositions | undefined;
  return {
    file,
    index,
    value,
    text,
    hostileChecked: true,
    get positions() {
      positions ??= indexFile();
      return positions;
    },
    get doc() {
      return parseFile().docs[index];
    },
    get lineCounter() {
      return parseFile().lineCounter;
    },
  };
}

/** Tests turn the fast path off to check that both paths give the same results. */
export const fastYaml = { enabled: true };

/** The file's documents when the fast parser is sure of all of them and they are clean; else undefined. */
export function fastParseDocuments(file: string, text: string): ParsedDocument[] | undefined {
  if (!fastYaml.enabled || !inFastSubset(text) || !anchorsWithinBounds(text)) return undefined;
  let values: unknown[];
  try {
    values = loadAll(text, undefined, { schema: CORE_LIKE_YAML, json: false }) as unknown[];
  } catch {
    return undefined; // `yaml` reports it with its position
  }
  // No document, or an empty one (`yaml` skips those and reports an empty file): let `yaml` decide.
  if (values.length === 0 || values.some((v) => v === null || v === undefined || !clean(v, 0))) return undefined;
  // Parsed with `yaml` only as far as the documents asked about: locating the first problems of a
  // 1 MiB file must not parse all of it.
  const lineCounter = new LineCounter();
  const docs: ParsedDocument['doc'][] = [];
  let pending: Iterator<ParsedDocument['doc']> | undefined;
  const parseTo = (index: number): YamlFile => {
    pending ??= new Composer({ uniqueKeys: true, prettyErrors: false, strict: true }).compose(
      new Parser(lineCounter.addNewLine).parse(text),
    ) as Iterator<ParsedDocument['doc']>;
    while (docs.length <= index) {
      const next = pending.next();
      if (next.done) break;
      docs.push(next.value);
    }
    return { docs, lineCounter };
  };
  // Positions come from one pass over the lines (line-index.ts), read as far as the questions
  // asked need, made on the first question and shared by the file's documents.
  let index: LineIndex | undefined;
  const indexFile = (i: number) => (index ??= new LineIndex(text, values.length)).document(i);
  return values.map((value, i) =>
    lazyDocument(
      file,
      text,
      i,
      value,
      () => parseTo(i),
      () => indexFile(i),
    ),
  );
}
