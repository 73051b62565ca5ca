// How a value read from a manifest may appear inside a diagnostic message: short and escaped, so
// a message never carries a whole file, a secret pasted into a long value, or a control sequence.
export const EXCERPT_CHARS = 40;

// Control characters (C0, DEL, C1), invisible and direction-changing characters, lone surrogates.
const UNSAFE =
  /[\\\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const NAMED: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Escapes every unsafe character as `\n`, `\\` or `\uXXXX`. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** At most `max` characters of `text` (whole code points), escaped; `…` marks a cut. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  const chars = Array.from(text.slice(0, max * 2 + 2));
  return escapeText(chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join(''));
}

/** A manifest string inside a message: `"…"`, escaped and cut to a short excerpt. */
export function quote(value: string): string {
  return `"${excerpt(value).replace(/"/g, '\\"')}"`;
}

const isLong = (s: string) => s.length > EXCERPT_CHARS || /[\r\n]/.test(s);

/**
 * A wrong value described for a message: short strings quoted, long or multi-line strings only by
 * type and length (the value may be a secret that ended up in the wrong place).
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    if (!isLong(value)) return `string ${quote(value)}`;
    const lines = value.split(/\r\n|\r|\n/).length;
    return `a string of ${value.length} characters${lines > 1 ? ` on ${lines} lines` : ''}`;
  }
  return `${typeof value} ${excerpt(String(value))}`;
}

/** A value for a message that shows what was found: strings as describeValue, others as short JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return isLong(value) ? describeValue(value) : quote(value);
  if (value === undefined) return 'nothing';
  return excerpt(JSON.stringify(value) ?? String(value));
}
