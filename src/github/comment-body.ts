// The pull-request comment: found again by a hidden marker, summary first, details folded,
// validation errors instead of a plan when the manifests are invalid, and never over GitHub's
// 65,536-character limit.
import { problemCount, type Diagnostic } from '../manifest/diagnostic.js';
import type { Plan } from '../plan/plan-types.js';
import { markdownCode as code, escapeMarkdown as md } from '../render/escape-markdown.js';
import { escapeControls } from '../render/escape-terminal.js';
import { renderPlanMarkdown } from '../render/plan-markdown.js';
import { LIMITS } from '../manifest/limits.js';

export const GITHUB_COMMENT_LIMIT = LIMITS.prCommentChars;
/** Room kept for the cut note and closing tags. */
const CUT_AT = GITHUB_COMMENT_LIMIT - 2_000;

/** The folder name inside an HTML comment: nothing that could end the comment or the line. */
export function commentMarker(dir: string): string {
  return `<!-- argosctl:plan dir=${escapeControls(dir).replace(/[<>]/g, '')} -->`;
}

export function diagnosticsMarkdown(diagnostics: readonly Diagnostic[]): string {
  const lines = [
    '### argosctl: the manifests are invalid',
    '',
    `${problemCount(diagnostics)} problem(s); nothing was planned.`,
    '',
    '| where | path | problem | allowed |',
    '|---|---|---|---|',
  ];
  for (const d of diagnostics)
    lines.push(
      `| ${code(`${d.file}:${d.line}:${d.column}`)} | ${code(d.path)} | ${md(d.message)} | ${md(d.allowed ?? '')} |`,
    );
  return lines.join('\n') + '\n';
}

/** Cuts `body` to fit a comment, closing any <details> left open, with a pointer to the full text. */
export function fitComment(body: string, pointer: string): string {
  if (body.length <= GITHUB_COMMENT_LIMIT) return body;
  let cut = body.slice(0, CUT_AT);
  cut = cut.slice(0, Math.max(cut.lastIndexOf('\n'), 0));
  const open = (cut.match(/<details>/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length;
  return `${cut}\n${'\n</details>\n'.repeat(Math.max(open, 0))}\n---\n**The plan is cut here** (${cut.length.toLocaleString('en')} of ${body.length.toLocaleString('en')} characters shown, GitHub allows ${GITHUB_COMMENT_LIMIT.toLocaleString('en')}). ${pointer}\n`;
}

export function planCommentBody(input: {
  dir: string;
  plan?: Plan;
  diagnostics?: readonly Diagnostic[];
  sha?: string;
  runUrl?: string;
}): string {
  const main = input.plan ? renderPlanMarkdown(input.plan) : diagnosticsMarkdown(input.diagnostics ?? []);
  const footer = `\n<sub>argosctl · manifests in ${code(input.dir)}${input.sha ? ` · commit ${md(input.sha.slice(0, 7))}` : ''}${input.runUrl ? ` · [run](${input.runUrl})` : ''}</sub>\n`;
  const pointer = input.runUrl
    ? `The full plan is in the [job summary](${input.runUrl}).`
    : 'The full plan is in the job summary.';
  return fitComment(`${commentMarker(input.dir)}\n${main}${footer}`, pointer);
}
