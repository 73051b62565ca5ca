// Terminal text (plan, drift, history, blame, errors): user text is shown, never obeyed. Control
// characters, ANSI escapes, C1 codes and bidi overrides are printed as visible escapes (\x1b,
// \u202e), so no value can move the cursor, recolour, reorder or split a line. The same text
// lands in CI logs, so a value also never starts a workflow command there.
import { neutraliseWorkflowCommand } from './escape-ci-log.js';

/** C0 controls (newline and tab too), DEL, C1 controls, bidi controls and line/paragraph separators. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).padStart(width, '0');

/** The visible escape of every unsafe character: `\n`, `\r`, `\t`, `\x1b`, `\u202e`. */
export function escapeControls(s: string): string {
  return s.replace(UNSAFE, (c) =>
    c === '\n'
      ? '\\n'
      : c === '\r'
        ? '\\r'
        : c === '\t'
          ? '\\t'
          : c.charCodeAt(0) <= 0xff
            ? `\\x${hex(c, 2)}`
            : `\\u${hex(c, 4)}`,
  );
}

/** A value for a line of terminal (and CI log) output: one line, inert. */
export function escapeTerminal(value: unknown): string {
  return neutraliseWorkflowCommand(escapeControls(String(value)));
}
