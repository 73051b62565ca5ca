// A problem found in a manifest: a value, never an exception, so every problem is reported at once.
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Short rule name, stable for tooling (e.g. `schema.type`, `ip.host-bits`). */
  rule: string;
  file: string;
  line: number;
  column: number;
  /** Path inside the document, e.g. `spec.security.ipWhitelist.api[2]`. */
  path: string;
  message: string;
  /** What is allowed instead, in words. */
  allowed?: string;
  hint?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** `spec.ipWhitelist.api[2]` from `['spec','ipWhitelist','api',2]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || '(document)';
}

export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list.sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message),
  );
}
