// Markdown and HTML (PR comments, job summaries, drift issues, `--format markdown`): user text
// is shown, never rendered. Every character that markdown or HTML would act on becomes an HTML
// entity, so a value cannot open a tag, close `</details>`, start a code span, emphasis or link,
// or split a table cell. Newlines collapse to one space, so no value adds a heading or a list.
// `@` and `#` get a zero-width joiner after them: GitHub resolves mentions (`@org/team`) and
// references (`#1`) on the rendered text, where an entity would already be decoded.
import { escapeControls } from './escape-terminal.js';

const ZWJ = '\u200d';
const ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '|': '&#124;',
  '\\': '&#92;',
  '*': '&#42;',
  _: '&#95;',
  '~': '&#126;',
  '[': '&#91;',
  ']': '&#93;',
  '!': '&#33;',
  '=': '&#61;',
  $: '&#36;',
  '@': `@${ZWJ}`,
  '#': `#${ZWJ}`,
};

/** A value as inert markdown text: safe in a paragraph, a list item, a table cell or inside <code>. */
export function escapeMarkdown(value: unknown): string {
  const oneLine = String(value).replace(/\s*(?:\r\n|[\r\n\u2028\u2029])\s*/g, ' ');
  return escapeControls(oneLine).replace(/[&<>"'`|\\*_~[\]!=$@#]/g, (c) => ENTITY[c]);
}

/** A value shown as code. HTML <code> with entities inside survives any run of backticks. */
export function markdownCode(value: unknown): string {
  return `<code>${escapeMarkdown(value)}</code>`;
}
