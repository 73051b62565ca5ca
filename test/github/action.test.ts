// action.yml: checked against the rules of GitHub's action metadata schema, then its scripts are run
// with bash the way the runner would (inputs through env), on real manifests and a database from the
// PostgreSQL template per run (the embedded database when no server is reachable): the action's
// scripts are the point, and a spawned process starts an embedded one in seconds of CPU.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, tempDir } from '../helpers/cli.js';
import { DATABASE_TARGETS, type FreshDatabase } from '../helpers/databases.js';

interface Step {
  id?: string;
  name?: string;
  run?: string;
  uses?: string;
  shell?: string;
  env?: Record<string, string>;
  [k: string]: unknown;
}
interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
  [k: string]: unknown;
}

const text = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
const action = parse(text) as Action;
const expressions = (s: string) => [...s.matchAll(/\$\{\{\s*([^}]+?)\s*\}\}/g)].map((m) => m[1]);

describe('action.yml metadata (GitHub Actions metadata syntax)', () => {
  it('has a name, a description, known top-level keys and a composite runs block', () => {
    expect(
      Object.keys(action).filter(
        (k) => !['name', 'author', 'description', 'inputs', 'outputs', 'runs', 'branding'].includes(k),
      ),
    ).toEqual([]);
    expect(typeof action.name).toBe('string');
    expect(action.description).toMatch(/\S/);
    expect(action.runs.using).toBe('composite');
    expect(action.runs.steps.length).toBeGreaterThan(0);
  });

  it('declares the documented inputs and outputs, each with a description', () => {
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining(['command', 'dir', 'database-url', 'args', 'version']),
    );
    expect(Object.keys(action.outputs).sort()).toEqual(['exit-code', 'has-changes']);
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.description, name).toMatch(/\S/);
      expect(
        Object.keys(input).filter((k) => !['description', 'required', 'default', 'deprecationMessage'].includes(k)),
        name,
      ).toEqual([]);
    }
    for (const [name, output] of Object.entries(action.outputs)) {
      expect(output.description, name).toMatch(/\S/);
      expect(output.value, name).toMatch(/^\$\{\{ steps\.[a-z-]+\.outputs\.[a-z-]+ \}\}$/);
    }
  });

  it('every step has run with shell (or uses), known keys, and unique ids', () => {
    const ids = new Set<string>();
    for (const step of action.runs.steps) {
      const allowed = [
        'id',
        'name',
        'if',
        'run',
        'shell',
        'uses',
        'with',
        'env',
        'working-directory',
        'continue-on-error',
      ];
      expect(
        Object.keys(step).filter((k) => !allowed.includes(k)),
        step.name,
      ).toEqual([]);
      expect(Boolean(step.run) !== Boolean(step.uses), step.name).toBe(true);
      if (step.run) expect(step.shell, step.name).toBe('bash');
      if (step.id) {
        expect(ids.has(step.id)).toBe(false);
        ids.add(step.id);
      }
    }
  });

  it('every referenced input, step and step output exists; no expression inside a script', () => {
    const seen = new Map<string, string>();
    for (const step of action.runs.steps) {
      expect(expressions(step.run ?? ''), `${step.name}: inputs reach scripts through env only`).toEqual([]);
      for (const expr of [...expressions(JSON.stringify(step.env ?? {})), ...expressions(step.name ?? '')]) {
        const input = /^inputs\.([a-z-]+)$/.exec(expr);
        if (input) expect(action.inputs[input[1]], expr).toBeDefined();
        const out = /^steps\.([a-z-]+)\.outputs\.([a-z-]+)$/.exec(expr);
        if (out) expect(seen.get(out[1]), expr).toMatch(new RegExp(`echo "${out[2]}=`));
        if (!input && !out) expect(expr).toMatch(/^github\.(action_path|token)$/);
      }
      if (step.id) seen.set(step.id, step.run ?? '');
    }
    for (const output of Object.values(action.outputs)) {
      const [, id, name] = /steps\.([a-z-]+)\.outputs\.([a-z-]+)/.exec(output.value)!;
      expect(seen.get(id)).toMatch(new RegExp(`echo "${name}=`));
    }
  });

  it('the command input names exactly the commands the script handles', () => {
    const run = action.runs.steps.find((s) => s.id === 'run')!.run!;
    const handled = [...run.matchAll(/^ {2}([a-z]+)\) cmd=/gm)].map((m) => m[1]);
    expect(handled).toEqual(['validate', 'plan', 'comment', 'apply', 'drift']);
    for (const c of handled) expect(action.inputs.command.description).toContain(c);
  });
});

/** Runs the action's steps like the runner: expressions evaluated into env, outputs read back. */
function runAction(inputs: Record<string, string>, workspace: string) {
  const temp = tempDir();
  const values = Object.fromEntries(
    Object.entries(action.inputs).map(([k, v]) => [
      k,
      inputs[k] ?? (v.default?.startsWith('${{') ? '' : (v.default ?? '')),
    ]),
  );
  const outputs: Record<string, Record<string, string>> = {};
  const summary = path.join(temp, 'summary.md');
  writeFileSync(summary, '');
  const results: { code: number | null; stdout: string; stderr: string }[] = [];
  for (const step of action.runs.steps) {
    const evaluate = (s: string) =>
      s.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
        if (expr === 'github.action_path') return ROOT;
        if (expr === 'github.token') return '';
        const input = /^inputs\.([a-z-]+)$/.exec(expr);
        if (input) return values[input[1]];
        const out = /^steps\.([a-z-]+)\.outputs\.([a-z-]+)$/.exec(expr);
        if (out) return outputs[out[1]]?.[out[2]] ?? '';
        throw new Error(`unsupported expression ${expr}`);
      });
    const outputFile = path.join(temp, `${step.id}.out`);
    writeFileSync(outputFile, '');
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluate(String(v))]));
    // As the runner does for shell: bash (bash --noprofile --norc -eo pipefail).
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
      cwd: workspace,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NO_COLOR: '1',
        RUNNER_TEMP: temp,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summary,
        ...env,
      },
    });
    results.push({ code: r.status, stdout: r.stdout, stderr: r.stderr });
    outputs[step.id ?? ''] = Object.fromEntries(
      readFileSync(outputFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(/=(.*)/s).slice(0, 2)),
    );
    if (r.status !== 0) break;
  }
  return {
    results,
    last: results[results.length - 1],
    outputs: outputs.run ?? {},
    summary: readFileSync(summary, 'utf8'),
  };
}

function workspaceWith(manifest: string): string {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'projects'));
  writeFileSync(path.join(dir, 'projects/p.yaml'), manifest);
  return dir;
}

const GOOD = readFileSync(path.join(ROOT, 'projects/example.yaml'), 'utf8');

describe('action.yml scripts, run with bash', () => {
  const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;
  const made: FreshDatabase[] = [];
  /** A database of the test's own: a fresh copy of the migrated template, or an embedded one in memory. */
  const databaseUrl = async () => {
    if (!postgres.available) return 'memory:';
    const fresh = await postgres.fresh();
    made.push(fresh);
    return fresh.url;
  };
  afterAll(() => {
    for (const fresh of made) fresh.release();
  });

  it('plan with changes: exit-code 2, has-changes true, the step succeeds and the summary holds the plan', async () => {
    const r = runAction({ command: 'plan', 'database-url': await databaseUrl() }, workspaceWith(GOOD));
    expect(r.last.stderr).not.toMatch(/internal error/);
    expect(r.last.code).toBe(0);
    expect(r.outputs).toEqual({ 'exit-code': '2', 'has-changes': 'true' });
    expect(r.summary).toMatch(/my-first-project/);
  });

  it('apply: exit-code 0, has-changes false, the output in the summary inside a fence', async () => {
    const r = runAction({ command: 'apply', 'database-url': await databaseUrl() }, workspaceWith(GOOD));
    expect(r.last.code).toBe(0);
    expect(r.outputs).toEqual({ 'exit-code': '0', 'has-changes': 'false' });
    expect(r.summary).toMatch(/^### argosctl apply\n(`{3,})\n[\s\S]*\n\1\n$/);
  });

  it('validate on a bad manifest: annotations on stdout, exit-code 1, the step fails', () => {
    const r = runAction({ command: 'validate' }, workspaceWith(GOOD.replace('status: TRIAL', 'status: LIVE')));
    expect(r.last.code).toBe(1);
    expect(r.last.stdout).toMatch(/^::error file=projects\/p\.yaml,line=\d+,col=\d+,title=[^:]*::spec\.status/m);
    expect(r.outputs).toEqual({ 'exit-code': '1', 'has-changes': 'false' });
    expect(r.summary).toMatch(/problems found/);
  });

  it('hostile inputs stay data: no shell runs from args, dir or command, and version takes no URL', () => {
    const workspace = workspaceWith(GOOD);
    const args = runAction(
      { command: 'validate', args: '--dir projects; touch pwned-args $(touch pwned-sub)', dir: '$(touch pwned-dir)' },
      workspace,
    );
    expect(args.last.code).toBe(1);
    const cmd = runAction({ command: 'plan; touch pwned-cmd' }, workspace);
    expect(cmd.last.code).toBe(1);
    expect(cmd.last.stdout).toMatch(/::error::command must be/);
    for (const f of ['pwned-args', 'pwned-sub', 'pwned-dir', 'pwned-cmd'])
      expect(existsSync(path.join(workspace, f)), f).toBe(false);
    for (const version of ['https://evil.example/argosctl.tgz', 'npm:evil@1.0.0', '1.0.0 --registry=http://evil']) {
      const v = runAction({ command: 'validate', version }, workspace);
      expect(v.results).toHaveLength(1);
      expect(v.last.code, version).toBe(1);
      expect(v.last.stdout).toMatch(/::error::version must be a version/);
    }
  });
});
