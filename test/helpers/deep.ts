// The default suite stays within its time budget (docs/development.md); ARGOS_DEEP=1
// (`npm run test:deep`) runs the same tests at full depth: every property test its full number
// of generated cases, crash tests more kills, database plans at a million rows.
export const DEEP = process.env.ARGOS_DEEP === '1';

/** `deep` in the deep run; otherwise `fast` (by default a fifth of it, at least 10). */
export function depth(deep: number, fast = Math.max(10, Math.round(deep / 5))): number {
  return DEEP ? deep : Math.min(fast, deep);
}
