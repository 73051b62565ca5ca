// Build step: man pages generated from the command tree (dist/cli/man-pages.js) into man/,
// shipped in the package: man/argosctl.1 and one man/argosctl-COMMAND.1 per command.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { buildFullProgram } from '../dist/cli/program.js';
import { manPages } from '../dist/cli/man-pages.js';
import { ARGOSCTL_VERSION } from '../dist/version.js';

const quiet = () => {};
const program = await buildFullProgram({
  out: quiet,
  err: quiet,
  style: { bold: (s) => s },
  errStyle: { bold: (s) => s },
  env: {},
  cwd: '.',
  stdinIsTTY: false,
});
const dir = new URL('../man/', import.meta.url);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir);
const pages = manPages(program, ARGOSCTL_VERSION);
for (const page of pages) writeFileSync(new URL(page.file, dir), page.text);
