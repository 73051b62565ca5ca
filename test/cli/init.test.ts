// argosctl init: a fresh config repository that validates and plans on the embedded database,
// a second run that changes nothing, and pre-existing files and links that are neither followed
// nor overwritten. The commands run in process.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { actionlint } from '../helpers/actionlint.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { runCliInProcess as runCli } from '../helpers/cli-in-process.js';

const WORKFLOWS = ['argosctl-plan.yml', 'argosctl-apply.yml', 'argosctl-drift.yml'];
const FILES = [
  'argosctl.yaml',
  'projects/example.yaml',
  '.gitignore',
  'package.json',
  ...WORKFLOWS.map((w) => `.github/workflows/${w}`),
];

function gitRepo(): string {
  const dir = tempDir();
  execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
}

/** Every file below `dir` (not .git, not .argos) with its bytes and modification time. */
function snapshot(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(path.join(dir, rel))) {
    if (name === '.git' || name === '.argos') continue;
    const p = path.join(rel, name);
    const stats = lstatSync(path.join(dir, p));
    if (stats.isDirectory()) Object.assign(out, snapshot(dir, p));
    else out[p] = `${stats.mtimeMs} ${stats.isSymbolicLink() ? 'link' : readFileSync(path.join(dir, p), 'utf8')}`;
  }
  return out;
}

describe('argosctl init', () => {
  it('scaffolds an empty git repository that then validates and plans (exit 0)', async () => {
    const cwd = gitRepo();
    const init = await runCli(['init'], { cwd });
    expect(init.code).toBe(0);
    for (const file of FILES) {
      expect(existsSync(path.join(cwd, file)), file).toBe(true);
      expect(init.stdout).toContain(`created ${file}`);
    }
    const validate = await runCli(['validate'], { cwd });
    expect(validate).toMatchObject({ code: 0 });
    expect(validate.stdout).toMatch(/1 project\(s\) in 1 manifest file\(s\) and argosctl\.yaml are valid/);
    const plan = await runCli(['plan'], { cwd });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/\+ project my-first-project will be created/);
    expect(plan.stderr).toContain(`embedded PGlite at ${path.join(cwd, '.argos/db')}`);
    // progress off a terminal too: the slow first start of the embedded database is announced, once
    expect(plan.stderr).toMatch(
      /creating the embedded database \(.*\); the first start takes a while…\nthe embedded database is ready/,
    );
    const again = await runCli(['plan'], { cwd });
    expect(again.stderr).not.toMatch(/creating the embedded database/);
    // the embedded database is git-ignored
    const status = execFileSync('git', ['status', '--porcelain', '--ignored'], { cwd, encoding: 'utf8' });
    expect(status).toMatch(/^!! \.argos\/$/m);
  });

  it('the scaffold passes its own checks: validate --strict, fmt --check, policy test and actionlint are clean', async () => {
    const cwd = gitRepo();
    expect((await runCli(['init'], { cwd })).code).toBe(0);
    const strict = await runCli(['validate', '--strict'], { cwd });
    expect(strict.code, strict.stdout + strict.stderr).toBe(0);
    expect(strict.stdout + strict.stderr).not.toMatch(/warning/i);
    const fmt = await runCli(['fmt', '--check'], { cwd });
    expect(fmt.code, fmt.stdout + fmt.stderr).toBe(0);
    const policy = await runCli(['policy', 'test'], { cwd });
    expect(policy.code, policy.stdout + policy.stderr).toBe(0);
    for (const name of WORKFLOWS) {
      const file = `.github/workflows/${name}`;
      expect(await actionlint(readFileSync(path.join(cwd, file), 'utf8'), file)).toEqual([]);
    }
  });

  it('argosctl.yaml names the manifest folder and leaves the database to the embedded default (commented env: line)', async () => {
    const cwd = gitRepo();
    expect((await runCli(['init'], { cwd })).code).toBe(0);
    const config = parse(readFileSync(path.join(cwd, 'argosctl.yaml'), 'utf8')) as Record<string, unknown>;
    expect(config).toEqual({ apiVersion: 'argosctl/v1', kind: 'Organization', manifests: 'projects' });
    expect(readFileSync(path.join(cwd, 'argosctl.yaml'), 'utf8')).toMatch(/^# database: env:ARGOS_DATABASE_URL$/m);
    const pkg = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8'));
    const ours = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.devDependencies).toEqual({ argosctl: `^${ours.version}` });
  });

  it('the modelines point at the schemas of the installed package, relative to each file', async () => {
    const cwd = gitRepo();
    expect((await runCli(['init'], { cwd })).code).toBe(0);
    // what `npm install` makes of package.json: node_modules/argosctl is the package
    mkdirSync(path.join(cwd, 'node_modules'));
    symlinkSync(ROOT, path.join(cwd, 'node_modules/argosctl'));
    for (const [file, schema] of [
      ['argosctl.yaml', 'config.v1.json'],
      ['projects/example.yaml', 'project.v2.json'],
    ]) {
      const first = readFileSync(path.join(cwd, file), 'utf8').split('\n')[0];
      const target = /^# yaml-language-server: \$schema=(\S+)$/.exec(first)?.[1];
      expect(target, file).toMatch(new RegExp(`node_modules/argosctl/schemas/${schema.replace('.', '\\.')}$`));
      const resolved = path.resolve(path.dirname(path.join(cwd, file)), target!);
      expect(statSync(resolved).isFile(), `${file} -> ${target}`).toBe(true);
    }
  });

  it('the workflows are the hardened examples/github ones (only the first comment line differs)', async () => {
    const cwd = gitRepo();
    expect((await runCli(['init'], { cwd })).code).toBe(0);
    for (const name of ['plan', 'apply', 'drift']) {
      const written = readFileSync(path.join(cwd, `.github/workflows/argosctl-${name}.yml`), 'utf8').split('\n');
      const example = readFileSync(path.join(ROOT, `examples/github/${name}.yml`), 'utf8').split('\n');
      expect(written[0]).toMatch(/^# Written by `argosctl init`: /);
      expect(written.slice(1)).toEqual(example.slice(1));
    }
  });

  it('a second init changes nothing and says every file was kept', async () => {
    const cwd = gitRepo();
    expect((await runCli(['init'], { cwd })).code).toBe(0);
    const before = snapshot(cwd);
    const again = await runCli(['init'], { cwd });
    expect(again.code).toBe(0);
    for (const file of FILES) expect(again.stdout).toContain(`kept    ${file} (it exists)`);
    expect(again.stdout).toMatch(/Nothing to do/);
    expect(snapshot(cwd)).toEqual(before);
  });

  it('existing files are kept as they are, with a hint when they lack what the scaffold needs', async () => {
    const cwd = gitRepo();
    writeFileSync(path.join(cwd, 'argosctl.yaml'), 'apiVersion: argosctl/v1\nkind: Organization\n# ours\n');
    writeFileSync(path.join(cwd, '.gitignore'), 'dist/\n');
    writeFileSync(path.join(cwd, 'package.json'), '{"name":"ours"}\n');
    const r = await runCli(['init'], { cwd });
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(cwd, 'argosctl.yaml'), 'utf8')).toBe(
      'apiVersion: argosctl/v1\nkind: Organization\n# ours\n',
    );
    expect(readFileSync(path.join(cwd, '.gitignore'), 'utf8')).toBe('dist/\n');
    expect(readFileSync(path.join(cwd, 'package.json'), 'utf8')).toBe('{"name":"ours"}\n');
    expect(r.stdout).toMatch(/kept {4}\.gitignore \(it exists; add \.argos\/ to it/);
    expect(r.stdout).toMatch(
      /kept {4}package\.json \(it exists; add argosctl to it: npm install --save-dev argosctl\)/,
    );
    expect(r.stdout).toContain('created projects/example.yaml');
  });

  it('hostile links: a linked file or folder is never followed or written through; blocked files exit 1', async () => {
    const cwd = gitRepo();
    const outside = tempDir();
    writeFileSync(path.join(outside, 'secret'), 'do not touch\n');
    symlinkSync(path.join(outside, 'secret'), path.join(cwd, '.gitignore')); // link to a real file
    symlinkSync(path.join(outside, 'created-by-init'), path.join(cwd, 'package.json')); // dangling link
    symlinkSync(outside, path.join(cwd, 'projects')); // folder link
    writeFileSync(path.join(cwd, '.github'), 'a file, not a folder\n');
    const r = await runCli(['init'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('kept    .gitignore (a link is there; it is not followed)');
    expect(r.stdout).toContain('kept    package.json (a link is there; it is not followed)');
    expect(r.stderr).toContain(
      'not written: projects/example.yaml: projects is a link; init writes nothing through links',
    );
    expect(r.stderr).toContain('not written: .github/workflows/argosctl-plan.yml: .github exists and is not a folder');
    expect(r.stdout).toContain('created argosctl.yaml');
    expect(readdirSync(outside).sort()).toEqual(['secret']);
    expect(readFileSync(path.join(outside, 'secret'), 'utf8')).toBe('do not touch\n');
    expect(readFileSync(path.join(cwd, '.github'), 'utf8')).toBe('a file, not a folder\n');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
