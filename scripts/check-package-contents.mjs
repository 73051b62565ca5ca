// Checks an unpacked package folder: only dist, bin, schemas, examples (the workflows init copies), README.md, LICENSE and package.json
// ship, and every bare import in the shipped JavaScript names a `dependencies` entry or a Node builtin.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const dir = process.argv[2];
const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
const allowedTop = new Set(['dist', 'bin', 'man', 'schemas', 'examples', 'README.md', 'LICENSE', 'package.json']);
const problems = [];

for (const name of readdirSync(dir)) if (!allowedTop.has(name)) problems.push(`ships ${name}, which users do not need`);
for (const name of allowedTop) if (!readdirSync(dir).includes(name)) problems.push(`does not ship ${name}`);

const files = readdirSync(dir, { recursive: true })
  .map(String)
  .filter((f) => /\.(m?js)$/.test(f));
const deps = new Set(Object.keys(pkg.dependencies ?? {}));
const importRe =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;
for (const file of files) {
  const text = readFileSync(path.join(dir, file), 'utf8');
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
    if (!deps.has(name)) problems.push(`${file} imports ${spec}, which is not in dependencies`);
  }
}
// Install-time scripts would ask users of npm 11 to approve them; a tarball ships dist/ built.
for (const script of ['preinstall', 'install', 'postinstall', 'prepare'])
  if (pkg.scripts?.[script])
    problems.push(
      `package.json has a "${script}" script (build in prepack: a user installing the package must not run it)`,
    );
if (files.length < 10) problems.push(`only ${files.length} JavaScript files: is dist/ built?`);

for (const p of problems) console.error(`  ${p}`);
console.log(`== tarball: ${files.length} JavaScript files, ${problems.length} problem(s)`);
process.exit(problems.length ? 1 : 0);
