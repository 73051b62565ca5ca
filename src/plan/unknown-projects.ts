// `--project ID` must name a project that exists somewhere: in a manifest or in the database.
// A typo would otherwise plan nothing and report "No changes".

/** The ids of `only` that no manifest declares and the database does not hold, in the order given. */
export function unknownProjects(
  only: readonly string[] | undefined,
  declared: readonly string[],
  existing: ReadonlyMap<string, unknown>,
): string[] {
  if (!only?.length) return [];
  const known = new Set(declared);
  return [...new Set(only)].filter((id) => !known.has(id) && !existing.has(id));
}
