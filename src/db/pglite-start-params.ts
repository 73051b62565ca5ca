// Server settings of the embedded database, given when PGlite starts. Its data directory says
// shared_buffers = 128MB and max_connections = 100 (initdb's defaults), and PGlite's WebAssembly
// postgres zeroes all of that shared memory at every start: most of opening an existing database
// (a CPU profile: memset 2.9 s of a 6.5 s open on a loaded machine, 0.1 s at 16MB). One process
// uses it through one connection, and its files sit in the OS cache behind the buffers.
import type { PGlite } from '@electric-sql/pglite';

export const PGLITE_SETTINGS = ['shared_buffers=16MB', 'max_connections=10'] as const;

/** PGlite's own start parameters followed by ours (a later `-c` wins over the data directory's file). */
export function pgliteStartParams(pglite: Pick<typeof PGlite, 'defaultStartParams'>): string[] {
  return [...pglite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((setting) => ['-c', setting])];
}
