// Parameter helpers that behave the same on pg and PGlite (PGlite encodes by inferred type,
// so JSON goes in as text and is cast in SQL).
import { sql, type RawBuilder } from 'kysely';

export function jsonb(value: unknown): RawBuilder<string> {
  return sql<string>`cast(cast(${JSON.stringify(value)} as text) as jsonb)`;
}

/** A text[] parameter, as a PostgreSQL array literal cast in SQL (the same on pg and PGlite). */
export function textArray(values: readonly string[]): RawBuilder<string[]> {
  const literal = `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
  return sql<string[]>`cast(cast(${literal} as text) as text[])`;
}

/**
 * Splits rows into chunks that stay under PostgreSQL's 65,535 parameters per statement. The column
 * count is read off the rows themselves: a count written by hand went stale when a column was added,
 * and the wire protocol's 16-bit parameter count then wrapped instead of failing.
 */
export function chunksFor<T extends object>(rows: readonly T[]): T[][] {
  const columns = rows.reduce((widest, row) => Math.max(widest, Object.keys(row).length), 1);
  const size = Math.max(1, Math.floor(60_000 / columns));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
