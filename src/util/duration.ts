// Durations in manifests: 30s, 10m, 24h, 7d, or combinations in that order such as 1h30m.
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/**
 * The longest duration a manifest may write: the database keeps durations as seconds in an
 * `integer` column (at most 2,147,483,647 s); 24855 whole days is the round bound below that.
 */
export const MAX_DURATION_SECONDS = 24855 * 86400;
export const MAX_DURATION = '24855d';
export const MAX_DURATION_ALLOWED = `a duration such as 30s, 10m, 24h, 7d or 1h30m, at most ${MAX_DURATION} (68 years)`;

/** The seconds a duration names, unbounded (possibly 0, possibly past MAX_DURATION_SECONDS); undefined when it is not one. */
export function durationSeconds(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === '') return undefined;
  const [d, h, min, s] = m.slice(1).map((v) => Number(v ?? 0));
  return d * 86400 + h * 3600 + min * 60 + s;
}

export function parseDuration(text: string): number | undefined {
  const seconds = durationSeconds(text);
  return seconds !== undefined && seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
}

export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('') || '0s';
}
