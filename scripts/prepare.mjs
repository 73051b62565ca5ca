// npm's `prepare`: builds dist/ when it is missing. npm runs `prepare`, not `prepack`, when it installs
// argosctl as a git dependency (`npm install git+https://…#TAG`, after installing its dev
// dependencies in the clone), so without it such an install had no compiled CLI. It also runs after
// `npm install`/`npm ci` in a clone, where a build is the next step anyway; an existing dist/ is kept
// (`npm run build` rebuilds it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(`${root}/dist/cli/main.js`)) {
  const npm = process.env.npm_execpath;
  const run = npm
    ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
    : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: true });
  process.exit(run.status ?? 1);
}
