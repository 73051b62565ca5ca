// PGlite's WebAssembly modules and its file-system bundle, read and compiled once per process.
// PGlite reads and compiles them again for every database it opens; a process that opens several
// (the test suite's in-process commands, a bench, `db` subcommands that open twice) pays that once.
// A one-shot command compiles them with V8's baseline compiler alone (Liftoff): by default V8 also
// recompiles every hot function with its optimising compiler, which for a command of a few
// seconds costs more than it gains (one-project plan: 0.70 s -> 0.33 s of CPU; applying 2,000
// projects: 7.0 s -> 3.7 s). A service (serve, worker, dashboard) runs for hours and keeps it.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';

export interface PGliteArtifacts {
  pgliteWasmModule?: WebAssembly.Module;
  initdbWasmModule?: WebAssembly.Module;
  fsBundle?: Blob;
}

const shared = new Map<boolean, Promise<PGliteArtifacts>>();

/** Compiled by Liftoff alone: the flag is V8's, process-wide, so it is set for this synchronous compile only. */
function compileForQuickStart(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module {
  v8.setFlagsFromString('--liftoff-only');
  try {
    return new WebAssembly.Module(bytes);
  } finally {
    v8.setFlagsFromString('--no-liftoff-only');
  }
}

async function load(quickStart: boolean): Promise<PGliteArtifacts> {
  try {
    const dist = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    const [pglite, initdb, bundle] = await Promise.all(
      ['pglite.wasm', 'initdb.wasm', 'pglite.data'].map((name) => readFile(path.join(dist, name))),
    );
    const [pgliteWasmModule, initdbWasmModule] = quickStart
      ? [compileForQuickStart(pglite), compileForQuickStart(initdb)]
      : await Promise.all([WebAssembly.compile(pglite), WebAssembly.compile(initdb)]);
    return { pgliteWasmModule, initdbWasmModule, fsBundle: new Blob([bundle]) };
  } catch {
    return {}; // another layout of the package: PGlite finds its own files, as without this
  }
}

/**
 * The compiled modules and the bundle, as PGlite.create options (empty when they cannot be found);
 * `quickStart` for a one-shot command, not a service.
 */
export function pgliteArtifacts(quickStart = false): Promise<PGliteArtifacts> {
  let artifacts = shared.get(quickStart);
  if (!artifacts) {
    artifacts = load(quickStart);
    shared.set(quickStart, artifacts);
  }
  return artifacts;
}
