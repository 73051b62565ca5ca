// Part of `npm run build`: the CLI bundled into dist/bundle/ (bin/argosctl.js runs it). Starting
// tsc's dist/ loads every module as its own file: a one-project plan read ~530 (kysely alone
// 263 files, yaml 72), and module loading was most of its CPU profile. esbuild puts argosctl's
// modules and the pure-JavaScript packages of the start path into a few files, one chunk per
// lazily imported command (the command table in src/cli/program.ts stays lazy). Every other
// dependency stays an import of the installed package: PGlite (its WebAssembly files are found
// beside it), Fastify, octokit, ajv (the prebuilt validators in dist/manifest/ import its runtime).
// dist/bundle/ sits two levels below the package root like dist/cli/; files the package ships are
// named from src/package-root.ts, whatever the depth.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const BUNDLED = ['commander', 'picocolors', 'kysely', 'yaml', 'js-yaml', 'diff', 'pg'];
const external = [
  ...Object.keys(pkg.dependencies).filter((name) => !BUNDLED.includes(name)),
  'pg-native', // pg's optional native driver: required only when asked for
];
const outdir = new URL('dist/bundle/', root).pathname;

rmSync(outdir, { recursive: true, force: true });
const started = Date.now();
const { metafile } = await build({
  entryPoints: [new URL('dist/cli/main.js', root).pathname],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: external.flatMap((name) => [name, `${name}/*`]),
  // The CommonJS packages bundled (pg, yaml) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __argosCreateRequire } from 'node:module';\nconst require = __argosCreateRequire(import.meta.url);",
  },
  chunkNames: 'chunk-[hash]',
  // Without comments: less to read at each start, and no import examples in the packages' doc
  // comments for scripts/check-package-contents.mjs to take for imports. Names stay as written.
  minifyWhitespace: true,
  logLevel: 'warning',
  metafile: true,
});
// What each file of the bundle holds: the packages and argosctl's modules (dist/…) bundled into it.
// test/cli/program.test.ts lists the files a command loads and reads here what they stand for. Not
// shipped (package.json files).
const packageOf = (input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
const contents = {};
for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
  const names = Object.keys(inputs);
  contents[path.basename(output)] = {
    packages: [...new Set(names.map(packageOf).filter(Boolean))].sort(),
    modules: names
      .filter((n) => n.startsWith('dist/'))
      .map((n) => n.slice('dist/'.length))
      .sort(),
  };
}
writeFileSync(path.join(outdir, 'contents.json'), `${JSON.stringify(contents, null, 1)}\n`);
console.log(`bundled the CLI into dist/bundle/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
