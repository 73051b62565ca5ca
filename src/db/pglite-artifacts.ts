// PGlite's WebAssembly modules and its file-system bundle, read and compiled once per process.
// PGlite reads and compiles them again for every database it opens; a process that opens several
// (the test suite's in-process commands, a bench, `db` subcommands that open twice) pays that once.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface PGliteArtifacts {
  pgliteWasmModule?: WebAssembly.Module;
  initdbWasmModule?: WebAssembly.Module;
  fsBundle?: Blob;
}

let shared: Promise<PGliteArtifacts> | undefined;

async function load(): Promise<PGliteArtifacts> {
  try {
    const dist = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    const [pglite, initdb, bundle] = await Promise.all(
      ['pglite.wasm', 'initdb.wasm', 'pglite.data'].map((name) => readFile(path.join(dist, name))),
    );
    const [pgliteWasmModule, initdbWasmModule] = await Promise.all([
      WebAssembly.compile(pglite),
      WebAssembly.compile(initdb),
    ]);
    return { pgliteWasmModule, initdbWasmModule, fsBundle: new Blob([bundle]) };
  } catch {
    return {}; // another layout of the package: PGlite finds its own files, as without this
  }
}

/** The compiled modules and the bundle, as PGlite.create options (empty when they cannot be found). */
export function pgliteArtifacts(): Promise<PGliteArtifacts> {
  shared ??= load();
  return shared;
}
