// The YAML parser's errors as problems a person can act on: where the mistake is, not only where
// the parser noticed it. Tabs and a key indented differently from its siblings make the parser
// report every line after them; each becomes one problem at the line to fix. A duplicate key is
// named, with the line it first appeared on.
import { isMap, isScalar, visit, type Document, type LineCounter, type YAMLError } from 'yaml';
import type { Diagnostic } from '../diagnostic.js';
import { excerpt, quote } from '../excerpt.js';

const SAME_COLUMN = 'All mapping items must start at the same column';

type Place = { line: number; col: number };
type Problem = (place: Place, rule: string, message: string, allowed?: string) => Diagnostic;

export function yamlProblems(file: string, text: string, doc: Document.Parsed, lineCounter: LineCounter): Diagnostic[] {
  const errors: YAMLError[] = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'DUPLICATE_KEY')];
  if (errors.length === 0) return [];
  const at = (e: YAMLError): Place => lineCounter.linePos(e.pos[0]);
  const problem: Problem = (place, rule, message, allowed) => ({
    severity: 'error',
    rule,
    file,
    line: place.line,
    column: place.col,
    path: '(document)',
    message,
    allowed,
  });

  const tabs = errors.filter((e) => e.code === 'TAB_AS_INDENT');
  if (tabs.length) {
    const lines = [...new Set(tabs.map((e) => at(e).line))];
    return [
      problem(
        at(tabs[0]),
        'yaml.tab-indent',
        `tabs used for indentation on line${lines.length > 1 ? 's' : ''} ${listed(lines)}`,
        'spaces for indentation (YAML does not allow tabs there)',
      ),
    ];
  }

  const lines = text.split('\n');
  const out: Diagnostic[] = [];
  const misaligned = new Map<number, number[]>(); // a mapping's first key line → its lines at another column
  for (const err of errors) {
    if (err.code === 'DUPLICATE_KEY') {
      out.push(duplicateKey(doc, err, at(err), lineCounter, problem));
      continue;
    }
    // The parser places it where the item's leading space begins, which can be a blank or comment line.
    const line = err.code === 'BAD_INDENT' && err.message.startsWith(SAME_COLUMN) && contentFrom(lines, at(err).line);
    const first = line && firstKeyAbove(lines, line);
    if (line && first) misaligned.set(first, [...(misaligned.get(first) ?? []), line]);
    else out.push(problem(at(err), 'yaml.syntax', `not valid YAML: ${parserMessage(err.message)}`));
  }
  for (const [first, others] of misaligned) out.push(misalignedKeys(lines, first, others, problem));
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Lines as "3, 5 and 2 more". */
function listed(lines: number[]): string {
  return `${lines.slice(0, 10).join(', ')}${lines.length > 10 ? ` and ${lines.length - 10} more` : ''}`;
}

const indentOf = (line: string) => line.length - line.trimStart().length;
const isContent = (line: string) => line.trim() !== '' && !line.trimStart().startsWith('#');

/** The first line from `lineNo` on (1-based) that holds more than space or a comment. */
function contentFrom(lines: string[], lineNo: number): number | undefined {
  for (let i = lineNo - 1; i < lines.length; i++) if (isContent(lines[i])) return i + 1;
  return undefined;
}

/**
 * The line of the first key of the mapping that holds `lineNo` (1-based): going up past its
 * siblings and their children, the line after its parent (the first line indented less), or
 * undefined when there is no such line to point at.
 */
function firstKeyAbove(lines: string[], lineNo: number): number | undefined {
  const line = lines[lineNo - 1];
  if (line === undefined || !isContent(line)) return undefined;
  const indent = indentOf(line);
  let first: number | undefined;
  for (let i = lineNo - 2; i >= 0; i--) {
    if (!isContent(lines[i])) continue;
    if (lines[i].startsWith('---') || indentOf(lines[i]) < indent) break;
    first = i + 1;
  }
  return first !== undefined && indentOf(lines[first - 1]) !== indent ? first : undefined;
}

/**
 * One problem for a mapping whose keys start at two columns. When the rest agree (two or more lines),
 * the first key is the one out of line, and the problem is there; with one line each, at the later.
 */
function misalignedKeys(lines: string[], first: number, others: number[], problem: Problem): Diagnostic {
  const column = (n: number) => indentOf(lines[n - 1]) + 1;
  const allowed = 'every key of a mapping at the same column (indent with the same number of spaces)';
  if (others.length > 1)
    return problem(
      { line: first, col: column(first) },
      'yaml.indent',
      `this key starts at column ${column(first)}, but the other keys of its mapping start at column ${column(others[0])} (lines ${listed(others)})`,
      allowed,
    );
  return problem(
    { line: others[0], col: column(others[0]) },
    'yaml.indent',
    `this key starts at column ${column(others[0])}, but the first key of its mapping (line ${first}) starts at column ${column(first)}`,
    allowed,
  );
}

/** A duplicate key, named, with the line of its first appearance in the same mapping. */
function duplicateKey(
  doc: Document.Parsed,
  err: YAMLError,
  place: Place,
  lineCounter: LineCounter,
  problem: Problem,
): Diagnostic {
  let name: string | undefined;
  let firstLine: number | undefined;
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Map<unknown, number>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const start = pair.key.range?.[0];
        if (start === undefined) continue;
        const earlier = seen.get(pair.key.value);
        if (start === err.pos[0] && earlier !== undefined) {
          name = String(pair.key.value);
          firstLine = lineCounter.linePos(earlier).line;
          return visit.BREAK;
        }
        if (earlier === undefined) seen.set(pair.key.value, start);
      }
    },
  });
  return problem(
    place,
    'yaml.duplicate-key',
    name === undefined
      ? 'duplicate key: a key may appear only once in a mapping'
      : `duplicate key ${quote(name)}: already set on line ${firstLine}`,
    'each key once; merge the two entries',
  );
}

/**
 * The parser's message, first line only; the part after "…: " can quote the source (a tag, an
 * alias name), so it is cut to a short escaped excerpt. Its own words are kept whole.
 */
export function parserMessage(message: string): string {
  const first = message.split('\n')[0];
  const at = first.indexOf(': ');
  return at >= 0 && at < 80 ? `${first.slice(0, at + 2)}${excerpt(first.slice(at + 2))}` : excerpt(first, 160);
}
