// Durations in manifests: 30s, 10m, 24h, 7d, or combinations in that order such as 1h30m.
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === '') return undefined;
  const [d, h, min, s] = m.slice(1).map((v) => Number(v ?? 0));
  const seconds = d * 86400 + h * 3600 + min * 60 + s;
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
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
