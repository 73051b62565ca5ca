// The pg driver prints its own warnings (process.emitWarning: SSL mode notices, deprecations).
// They are not ours to show: a driver message can quote connection settings. While a PostgreSQL
// connection is open they are held back, and one plain line says that something was hidden.
let active = 0;
let original: typeof process.emitWarning | undefined;
let notes: ((text: string) => void)[] = [];

function describe(warning: unknown): string {
  const text = typeof warning === 'string' ? warning : warning instanceof Error ? warning.message : '';
  if (/SSL modes 'prefer', 'require', and 'verify-ca'/.test(text)) {
    return 'its sslmode notice: prefer, require and verify-ca are treated as verify-full';
  }
  return 'a driver warning';
}

/** Holds back process warnings until the returned function is called (calls may nest). */
export function muteDriverWarnings(note: (text: string) => void): () => void {
  if (active++ === 0) {
    original = process.emitWarning;
    process.emitWarning = ((warning: string | Error) => {
      const text =
        `note: the PostgreSQL driver (pg) printed ${describe(warning)}; ` +
        'argosctl hides driver messages because they can quote connection settings\n';
      notes.at(-1)?.(text);
    }) as typeof process.emitWarning;
  }
  notes.push(note);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    notes = notes.filter((n) => n !== note);
    if (--active === 0 && original) {
      process.emitWarning = original;
      original = undefined;
    }
  };
}
