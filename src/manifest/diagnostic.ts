// A problem found in a manifest: a value, never an exception, so every problem is reported at once.
import { compareText } from '../util/compare-text.js';

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
  /** On the closing "… and N more" entry only: how many problems it stands for. */
  omitted?: number;
  /**
   * On the closing "… and N more problem(s) not shown" entry only: of the problems it stands for,
   * the warnings about one place, counted per rule, so a repeated rule is summarised with its true
   * total (src/render/repeated-warnings.ts). Never printed as it is.
   */
  omittedWarnings?: Record<string, number>;
}

/** A warning about one place (not the plan as a whole, not an "… and N more" entry): what is counted per rule. */
export const isPlaceWarning = (d: Diagnostic) =>
  d.severity === 'warning' && d.omitted === undefined && d.path !== '(plan)';

/** The words of the closing entry standing for `count` problems past the cap. */
export const moreNotShown = (count: number) => `… and ${count.toLocaleString('en')} more problem(s) not shown`;

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
      compareText(a.file, b.file) || a.line - b.line || a.column - b.column || compareText(a.message, b.message),
  );
}

/** Problems a list stands for: its entries, the closing "… and N more" counted as its N. */
export function problemCount(diagnostics: readonly Diagnostic[]): number {
  let count = 0;
  for (const d of diagnostics) count += d.omitted ?? 1;
  return count;
}

/** Problems already cut from a list while it was collected: how many, and whether any was an error. */
export interface CutProblems {
  omitted: number;
  error: boolean;
  /** The place warnings among them, per rule (see Diagnostic.omittedWarnings). */
  warnings?: Record<string, number>;
}

/** Adds `rest`, cut from a list, to what `cut` counts. */
function countCut(cut: CutProblems, rest: readonly Diagnostic[]): void {
  cut.omitted += problemCount(rest);
  for (const d of rest) {
    if (d.severity === 'error') cut.error = true;
    if (!isPlaceWarning(d)) continue;
    cut.warnings ??= {};
    cut.warnings[d.rule] = (cut.warnings[d.rule] ?? 0) + 1;
  }
}

/** Cuts a list being collected to its first `max` once it holds twice that, counting what it cuts. */
export function compactDiagnostics(list: Diagnostic[], max: number, cut: CutProblems): void {
  if (list.length <= 2 * max) return;
  sortDiagnostics(list);
  countCut(cut, list.splice(max));
}

/**
 * The first `max` of a sorted list, then one entry "… and N more" standing for the rest and for
 * those cut earlier (N exact; an error when any of them is). Cutting a sorted part keeps every entry
 * of the whole's first `max`, so a long run may cut as it goes (compactDiagnostics).
 */
export function capDiagnostics(
  sorted: Diagnostic[],
  max: number,
  earlier: CutProblems = { omitted: 0, error: false },
): Diagnostic[] {
  if (sorted.length <= max && earlier.omitted === 0) return sorted;
  // Entries standing for several (… and N more in this document) are shown as they are and counted as N.
  const kept = sorted.slice(0, max);
  const cut: CutProblems = { ...earlier, ...(earlier.warnings ? { warnings: { ...earlier.warnings } } : {}) };
  countCut(cut, sorted.slice(max));
  const last = kept[kept.length - 1];
  kept.push({
    severity: cut.error ? 'error' : 'warning',
    rule: 'limits.problems',
    file: last?.file ?? '(manifests)',
    line: last?.line ?? 1,
    column: last?.column ?? 1,
    path: '(run)',
    message: moreNotShown(cut.omitted),
    allowed: `at most ${max.toLocaleString('en')} problems are reported per run; fix these and run again`,
    omitted: cut.omitted,
    ...(cut.warnings ? { omittedWarnings: cut.warnings } : {}),
  });
  return kept;
}
