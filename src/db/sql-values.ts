// Parameter helpers that behave the same on pg and PGlite (PGlite encodes by inferred type,
// so JSON goes in as text and is cast in SQL).
import { sql, type RawBuilder } from 'kysely';

export function jsonb(value: unknown): RawBuilder<string> {
  return sql<string>`cast(cast(${JSON.stringify(value)} as text) as jsonb)`;
}

/** Splits rows into chunks that stay under PostgreSQL's 65,535 parameters per statement. */
export function chunksFor<T>(rows: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(60_000 / Math.max(1, columns)));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
