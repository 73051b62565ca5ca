// One rule firing across many projects (10,000 OPEN projects without an API whitelist) is one
// thing to read, not 10,000 lines: a warning rule that fires more than REPEAT_LIMIT times is shown
// once, with its count and its first PLACES_SHOWN places. Every output (text, JSON, GitHub
// annotations, the pull-request comment) summarises by this one function; `--verbose` lists all.
import { isPlaceWarning, moreNotShown, type Diagnostic } from '../manifest/diagnostic.js';

export const REPEAT_LIMIT = 10;
export const PLACES_SHOWN = 5;

export interface Place {
  file: string;
  line: number;
  column: number;
}

/** A diagnostic that may stand for several: `repeated` counts them and names the first places. */
export interface ShownDiagnostic extends Diagnostic {
  repeated?: { count: number; places: Place[] };
}

const placeOf = (d: Diagnostic): Place => ({ file: d.file, line: d.line, column: d.column });

/**
 * The list as shown: each warning rule that fires more than REPEAT_LIMIT times becomes one entry
 * (the first, carrying the count and first places) where its first warning stood; errors, rarer
 * warnings and warnings about the plan as a whole stay as they are. A rule's count includes its
 * warnings past the cap of problems shown (the closing entry's omittedWarnings), which that entry
 * then no longer counts. `verbose`: the list unchanged.
 */
export function summariseRepeated(list: readonly Diagnostic[], verbose = false): ShownDiagnostic[] {
  if (verbose) return list.map(withoutOmittedWarnings);
  const counts = new Map<string, number>();
  for (const d of list) if (isPlaceWarning(d)) counts.set(d.rule, (counts.get(d.rule) ?? 0) + 1);
  // A rule seen only past the cap has no entry to carry it: it stays counted in the closing entry.
  for (const d of list)
    for (const [rule, n] of Object.entries(d.omittedWarnings ?? {}))
      if (counts.has(rule)) counts.set(rule, counts.get(rule)! + n);
  const folded = (rule: string) => (counts.get(rule) ?? 0) > REPEAT_LIMIT;
  const groups = new Map<string, ShownDiagnostic & { repeated: { count: number; places: Place[] } }>();
  const out: ShownDiagnostic[] = [];
  for (const d of list) {
    if (d.omittedWarnings) {
      const rest = closingEntry(d, folded);
      if (rest) out.push(rest);
      continue;
    }
    if (!isPlaceWarning(d) || !folded(d.rule)) {
      out.push(d);
      continue;
    }
    const group = groups.get(d.rule);
    if (group) {
      if (group.repeated.places.length < PLACES_SHOWN) group.repeated.places.push(placeOf(d));
      continue;
    }
    const first = { ...d, repeated: { count: counts.get(d.rule)!, places: [placeOf(d)] } };
    groups.set(d.rule, first);
    out.push(first);
  }
  return out;
}

function withoutOmittedWarnings(d: Diagnostic): Diagnostic {
  if (!d.omittedWarnings) return d;
  const { omittedWarnings: _, ...rest } = d;
  return rest;
}

/** The closing "… and N more" entry less the warnings now counted by a summarised rule; none when nothing is left. */
function closingEntry(d: Diagnostic, folded: (rule: string) => boolean): Diagnostic | undefined {
  let absorbed = 0;
  for (const [rule, n] of Object.entries(d.omittedWarnings ?? {})) if (folded(rule)) absorbed += n;
  const left = (d.omitted ?? 0) - absorbed;
  if (left <= 0) return undefined;
  const entry = withoutOmittedWarnings(d);
  return absorbed ? { ...entry, message: moreNotShown(left), omitted: left } : entry;
}

/** `a.yaml:9:3, b.yaml:9:3, … and 9,995 more` for a summarised entry. */
export function placesLine(repeated: NonNullable<ShownDiagnostic['repeated']>): string {
  const shown = repeated.places.map((p) => `${p.file}:${p.line}:${p.column}`).join(', ');
  const more = repeated.count - repeated.places.length;
  return more > 0 ? `${shown} and ${more.toLocaleString('en')} more` : shown;
}

/** The heading words of a summarised entry: `in 10,000 places`. */
export const repeatedCount = (repeated: NonNullable<ShownDiagnostic['repeated']>) =>
  `in ${repeated.count.toLocaleString('en')} places`;
