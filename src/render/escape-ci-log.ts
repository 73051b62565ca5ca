// CI logs (GitHub Actions): a line that starts with `::` (or the older `##[`) is a workflow
// command (`::add-mask::`, `::error::`, `::stop-commands::`). Values reach the log through text
// output and through `--format github` annotations; neither may let a value issue a command.

/** A value that would start a workflow command gets its first character escaped (`\x3a:…`). */
export function neutraliseWorkflowCommand(s: string): string {
  return s.replace(
    /^(\s*)(::|##\[)/,
    (_m, space: string, cmd: string) => `${space}${cmd === '::' ? '\\x3a:' : '\\x23#['}`,
  );
}

/** The message of an annotation: GitHub's own escaping of `%`, CR and LF, after controls are shown escaped. */
export function escapeAnnotationData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property of an annotation (`file=`, `title=`): also `:` and `,`, which end a property. */
export function escapeAnnotationProperty(s: string): string {
  return escapeAnnotationData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
