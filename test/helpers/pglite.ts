// PGlite opened by a test itself (not through the CLI): with the WebAssembly modules and file-system
// bundle the in-process commands already use (src/db/pglite-artifacts.ts), compiled once per
// worker process, instead of PGlite reading and compiling them again for every database a test
// opens (seconds of CPU each); and with the server settings argosctl starts it with
// (src/db/pglite-start-params.ts: 16MB of shared buffers, not the 128MB that PGlite zeroes at every
// start). The database, its folder and its template are the test's own.
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { pgliteArtifacts } from '../../src/db/pglite-artifacts.js';
import { pgliteStartParams } from '../../src/db/pglite-start-params.js';

export async function createPGlite(options: PGliteOptions | string = {}): Promise<PGlite> {
  const own = typeof options === 'string' ? { dataDir: options } : options;
  return PGlite.create({ ...(await pgliteArtifacts(true)), startParams: pgliteStartParams(PGlite), ...own });
}
