// Conventions users expect of a CLI: shell completion generated from the program tree, a
// machine-readable --version, the schema command, and FORCE_COLOR / NO_COLOR. Completion and schema
// run in process; --version (start-up) and colour (a real pipe) run the built binary.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFullProgram } from '../../src/cli/program.js';
import { shouldColor } from '../../src/render/style.js';
import { BIN, ROOT, runCli, tempDir } from '../helpers/cli.js';
import { runCliInProcess, SILENT_CONTEXT } from '../helpers/cli-in-process.js';

const ctx = SILENT_CONTEXT;
const program = await buildFullProgram(ctx);
const topLevel = program.commands.map((c) => c.name());
const ESC = '\u001b[';

/** Loads the bash completion and asks it to complete `words` (the last one is being typed). */
function bashComplete(script: string, words: string[]): string[] {
  const file = path.join(tempDir(), 'completion.bash');
  writeFileSync(file, script);
  const array = words.map((w) => `'${w}'`).join(' ');
  const r = spawnSync(
    'bash',
    [
      '-c',
      `source "$1" && COMP_WORDS=(${array}) && COMP_CWORD=${words.length - 1} && _argosctl && printf '%s\\n' "\${COMPREPLY[@]}"`,
      'x',
      file,
    ],
    { encoding: 'utf8', cwd: tempDir() },
  );
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('argosctl completion', () => {
  it('the bash script loads in bash and registers a completion for argosctl', () => {
    const r = spawnSync(
      'bash',
      ['-c', `source <("$0" "$1" completion bash) && complete -p argosctl`, process.execPath, BIN],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^complete .*-F _argosctl argosctl$/m);
  });

  it('bash completes every command, subcommand, option and option value of the program tree', async () => {
    const script = (await runCliInProcess(['completion', 'bash'], { cwd: ROOT })).stdout;
    expect(bashComplete(script, ['argosctl', '']).sort()).toEqual([...topLevel].sort());
    const tokens = program.commands.find((c) => c.name() === 'tokens')!;
    expect(bashComplete(script, ['argosctl', 'tokens', '']).sort()).toEqual(
      tokens.commands.map((c) => c.name()).sort(),
    );
    const planOptions = program.commands.find((c) => c.name() === 'plan')!.options.map((o) => o.long!);
    expect(bashComplete(script, ['argosctl', 'plan', '--dir', 'x', '--'])).toEqual(
      expect.arrayContaining([...planOptions, '--help']),
    );
    expect(bashComplete(script, ['argosctl', 'validate', '--format', ''])).toEqual(['text', 'json', 'github']);
    expect(bashComplete(script, ['argosctl', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
  });

  it('zsh and fish scripts name every command and reject an unknown shell', async () => {
    const zsh = await runCliInProcess(['completion', 'zsh'], { cwd: ROOT });
    expect(zsh.stdout).toMatch(/^#compdef argosctl\n/);
    expect(zsh.stdout).toContain('bashcompinit');
    const fish = await runCliInProcess(['completion', 'fish'], { cwd: ROOT });
    for (const name of topLevel) expect(fish.stdout).toContain(`-a ${name} -d `);
    expect(fish.stdout).toContain("-l format -x -a 'text json github'");
    // Apostrophes in descriptions are escaped, so every line has balanced quotes after unescaping.
    for (const line of fish.stdout.split('\n')) expect(line.replace(/\\'/g, '').split("'").length % 2).toBe(1);
    const bad = await runCliInProcess(['completion', 'powershell'], { cwd: ROOT });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bash, zsh, fish/);
  });
});

/** Completes `words` in `cwd` with the function bash registered for the first word (argosctl, a path, npx). */
function completeAs(script: string, cwd: string, words: string[]): string[] {
  const file = path.join(tempDir(), 'completion.bash');
  writeFileSync(file, script);
  const array = words.map((w) => `'${w}'`).join(' ');
  const r = spawnSync(
    'bash',
    [
      '-c',
      `source "$1" && fn=$(complete -p '${words[0]}' | sed -E 's/.*-F ([^ ]+) .*/\\1/') && COMP_WORDS=(${array}) && COMP_CWORD=${words.length - 1} && "$fn" && printf '%s\\n' "\${COMPREPLY[@]}"`,
      'x',
      file,
    ],
    {
      encoding: 'utf8',
      cwd,
      env: { ...process.env, PATH: `${path.join(cwd, 'node_modules/.bin')}:${process.env.PATH}` },
    },
  );
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('completion of values from the project', () => {
  it('--allow offers the risk classes; --project the ids of the manifests, through argosctl, node_modules/.bin/argosctl and npx argosctl', async () => {
    const script = (await runCliInProcess(['completion', 'bash'], { cwd: ROOT })).stdout;
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'node_modules/.bin'), { recursive: true });
    writeFileSync(path.join(cwd, 'package.json'), '{"name":"c","version":"1.0.0","private":true}');
    symlinkSync(ROOT, path.join(cwd, 'node_modules/argosctl'));
    symlinkSync('../argosctl/bin/argosctl.js', path.join(cwd, 'node_modules/.bin/argosctl'));
    mkdirSync(path.join(cwd, 'projects'));
    writeFileSync(
      path.join(cwd, 'projects/a.yaml'),
      '# a comment\napiVersion: argosctl/v2\nkind: Project\nmetadata:\n  name: A\n  id: kbank-prod\n---\nmetadata: { id: "kbank-test", name: T }\n',
    );
    expect(completeAs(script, cwd, ['argosctl', 'apply', '--allow', 'emergency-'])).toEqual([
      'emergency-stop',
      'emergency-resume',
    ]);
    expect(completeAs(script, cwd, ['argosctl', 'plan', '--project', 'kbank-'])).toEqual(['kbank-prod', 'kbank-test']);
    expect(completeAs(script, cwd, ['node_modules/.bin/argosctl', 'plan', '--project', ''])).toEqual([
      'kbank-prod',
      'kbank-test',
    ]);
    expect(completeAs(script, cwd, ['npx', 'argosctl', 'apply', '--project', 'kbank-t'])).toEqual(['kbank-test']);
    expect(completeAs(script, cwd, ['npx', 'argosctl', 'pl'])).toEqual(['plan']);
  });
});

describe('argosctl --version', () => {
  it('--version --format json prints formatVersion, version, node and the published schemas', async () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    for (const args of [
      ['--version', '--format', 'json'],
      ['--format=json', '-V'],
    ]) {
      const r = await runCli(args, { cwd: ROOT });
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc).toEqual({
        formatVersion: 1,
        kind: 'version',
        version: pkg.version,
        node: process.version,
        schemas: expect.arrayContaining(['project.v1', 'config.v1']),
      });
    }
    expect((await runCli(['--version'], { cwd: ROOT })).stdout).toBe(`${pkg.version}\n`);
  });
});

describe('argosctl schema', () => {
  it('--format json prints the published schema unchanged; text lists every path with type and default', async () => {
    for (const [which, name] of [
      ['project', 'project.v2'],
      ['project-v1', 'project.v1'],
      ['config', 'config.v1'],
    ]) {
      const file = JSON.parse(readFileSync(path.join(ROOT, `schemas/${name}.json`), 'utf8'));
      const json = await runCliInProcess(['schema', which, '--format', 'json'], { cwd: ROOT });
      expect(JSON.parse(json.stdout)).toEqual(file);
    }
    const text = await runCliInProcess(['schema'], { cwd: ROOT });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /\nspec\.submissions\n {2}normal \| emergency-stop; default normal; e\.g\. normal\n {2}normal, or emergency-stop/,
    );
    expect(text.stdout).toMatch(/\nspec\.encryption\.keys\[\]\.status\n/);
    const config = await runCliInProcess(['schema', 'config'], { cwd: ROOT });
    expect(config.stdout).toMatch(
      /\nregions\.<name>\.managers\n {2}list of string; no default; e\.g\. \["@eu\.example\.com"/,
    );
    const bad = await runCliInProcess(['schema', 'nope'], { cwd: ROOT });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/project, project-v1, config/);
  });
});

describe('colour', () => {
  it('shouldColor: TTY by default; FORCE_COLOR forces it off a terminal; NO_COLOR counts only when non-empty and wins', () => {
    const tty = { isTTY: true },
      pipe = { isTTY: false };
    expect(shouldColor(tty, {})).toBe(true);
    expect(shouldColor(pipe, {})).toBe(false);
    expect(shouldColor(tty, { TERM: 'dumb' })).toBe(false);
    expect(shouldColor(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldColor(pipe, { FORCE_COLOR: '' })).toBe(true);
    expect(shouldColor(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(shouldColor(tty, { FORCE_COLOR: 'false' })).toBe(false);
    expect(shouldColor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor(tty, { NO_COLOR: '' })).toBe(true);
    expect(shouldColor(pipe, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
  });

  it('the CLI colours piped output with FORCE_COLOR, and not with NO_COLOR=1 or FORCE_COLOR=0', async () => {
    const cwd = tempDir('projects');
    const forced = await runCli(['validate'], { cwd, env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`${ESC}32m✓`);
    for (const env of [{ NO_COLOR: '1', FORCE_COLOR: '1' }, { NO_COLOR: '', FORCE_COLOR: '0' }, { NO_COLOR: '' }]) {
      const r = await runCli(['validate'], { cwd, env });
      expect(r.code, JSON.stringify(env)).toBe(0);
      expect(r.stdout, JSON.stringify(env)).not.toContain(ESC);
    }
  });
});

describe('a closed pipe', () => {
  it('argosctl --help into a pipe nobody reads (… | head -1): exit 0, no EPIPE error', () => {
    // The pipe's read end is closed before argosctl starts, so its first write fails with EPIPE
    // every time (what `| head -1` does when head has gone).
    const python = [
      'import os, subprocess, sys',
      'r, w = os.pipe()',
      'os.close(r)',
      'p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)',
      'sys.stdout.write(f"{p.returncode}\\n{p.stderr.decode()}")',
    ].join('\n');
    const r = spawnSync('python3', ['-c', python, process.execPath, BIN, '--help'], { encoding: 'utf8' });
    const [code, ...stderr] = r.stdout.split('\n');
    expect(stderr.join('\n')).not.toMatch(/EPIPE|Unhandled|node:events/);
    expect(code).toBe('0');
  });
});
