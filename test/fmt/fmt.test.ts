// argosctl fmt: canonical order and quoting with every comment and blank line kept, idempotent,
// values unchanged; --check exit codes; writes never go through a link out of the root.
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { Lexer, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatText } from '../../src/fmt/format-text.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { runCliInProcess as run } from '../helpers/cli-in-process.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => path.join(dir, f))
    .sort();
}

const comments = (text: string) => [...new Lexer().lex(text)].filter((tok) => tok.startsWith('#')).sort();
const blankLines = (text: string) => text.split('\n').filter((l) => l.trim() === '').length;
const values = (text: string) => parseAllDocuments(text).map((d) => (Array.isArray(d) ? d : d).toJS());

function formatted(text: string): string {
  const r = formatText(text);
  if (!r.ok) throw new Error(r.message);
  return r.text;
}

describe('fmt on the examples', () => {
  for (const file of yamlFiles(path.join(ROOT, 'examples'))) {
    const rel = path.relative(ROOT, file);
    it(`${rel}: keeps every comment and blank line and every value; idempotent`, () => {
      const text = readFileSync(file, 'utf8');
      const once = formatted(text);
      expect(comments(once)).toEqual(comments(text));
      expect(comments(text).length).toBeGreaterThan(0);
      expect(blankLines(once)).toBe(blankLines(text));
      expect(values(once)).toEqual(values(text));
      expect(formatted(once)).toBe(once);
    });
  }
});

describe('fmt rules', () => {
  it('keeps an end-of-line comment after a key on that key’s line, above a block map or list', () => {
    const text = [
      'a: # about a',
      '  b: 1',
      'c:',
      '  # about the first item',
      '  - 1',
      'd: # about d',
      '  - 2',
      '',
    ].join('\n');
    expect(formatted(text)).toBe(text);
  });

  it('sorts keys into the schema order, moving comments with their keys; free-form maps and unknown keys keep their order', () => {
    const text = [
      '# top',
      'spec:',
      '  # the admins',
      '  admins:',
      '    - email: a@x.example',
      '  status: TEST # inline',
      'metadata:',
      '  labels: { z: "1", a: "2" }',
      '  name: N',
      '  id: p',
      'kind: Project',
      'apiVersion: argosctl/v1',
      '',
    ].join('\n');
    expect(formatted(text)).toBe(
      [
        '# top',
        'apiVersion: argosctl/v1',
        'kind: Project',
        'metadata:',
        '  id: p',
        '  name: N',
        '  labels: { z: "1", a: "2" }',
        'spec:',
        '  status: TEST # inline',
        '  # the admins',
        '  admins:',
        '    - email: a@x.example',
        '',
      ].join('\n'),
    );
  });

  it('quotes only where YAML needs it, and never changes a value', () => {
    const text = [
      'apiVersion: "argosctl/v1"',
      "kind: 'Project'",
      'metadata:',
      '  id: "p"',
      '  name: "# not a comment"',
      '  description: "true"',
      '  labels: { a: "123", b: "null", c: "x: y", d: "---", e: "line\\nbreak", f: \'it\'\'s\' }',
      'spec: { status: TEST }',
      '',
    ].join('\n');
    const out = formatted(text);
    expect(out).toMatch(/^apiVersion: argosctl\/v1\nkind: Project\n/);
    expect(out).toMatch(/ id: p\n/);
    expect(values(out)).toEqual(values(text));
    expect(formatted(out)).toBe(out);
  });

  it('does not expand aliases and reports invalid YAML with its position', () => {
    const text = 'x: &a [1, 2]\ny: *a\n';
    expect(formatted(text)).toBe(text);
    expect(formatText('a: 1\na: 2\n')).toMatchObject({ ok: false, line: 2 });
    expect(formatText('a: [1\n')).toMatchObject({ ok: false });
  });
});

describe('argosctl fmt', () => {
  it('--check exits 1 listing the files that would change and writes nothing; 0 once formatted', async () => {
    const dir = tempDir('examples/bank');
    const file = path.join(dir, 'projects/kbank-onboarding.yaml');
    const before = readFileSync(file, 'utf8');
    const check = await run(['fmt', '--check'], { cwd: dir });
    expect(check.code).toBe(1);
    expect(check.stdout).toBe('would reformat projects/kbank-onboarding.yaml\n');
    expect(readFileSync(file, 'utf8')).toBe(before);
    const fmt = await run(['fmt'], { cwd: dir });
    expect(fmt.code, fmt.stderr).toBe(0);
    expect(fmt.stdout).toBe('formatted projects/kbank-onboarding.yaml\n');
    expect(readFileSync(file, 'utf8')).not.toBe(before);
    const again = await run(['fmt', '--check'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
    const validate = await run(['validate'], { cwd: dir });
    expect(validate.code).toBe(0);
  });

  it('takes file arguments (pre-commit) and refuses files outside the manifest folder', async () => {
    const dir = tempDir('examples/bank');
    writeFileSync(path.join(dir, 'elsewhere.yaml'), 'b: 1\na: "x"\n');
    const named = await run(['fmt', '--check', 'projects/kbank-onboarding.yaml'], { cwd: dir });
    expect(named.code).toBe(1);
    const outside = await run(['fmt', 'elsewhere.yaml'], { cwd: dir });
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/outside the manifest folder/);
    expect(readFileSync(path.join(dir, 'elsewhere.yaml'), 'utf8')).toBe('b: 1\na: "x"\n');
  });

  it('never writes through a link leading out of the root; a link inside the root stays a link', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'projects'));
    const secret = path.join(dir, 'outside.yaml');
    writeFileSync(secret, 'a: "quoted"\n');
    symlinkSync(secret, path.join(dir, 'projects/out.yaml'));
    writeFileSync(path.join(dir, 'projects/real.yaml'), 'a: "quoted"\n');
    symlinkSync(path.join(dir, 'projects/real.yaml'), path.join(dir, 'projects/alias.yaml'));
    const r = await run(['fmt'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/projects\/out\.yaml: is a link that leads outside the manifest root/);
    expect(readFileSync(secret, 'utf8')).toBe('a: "quoted"\n');
    expect(readFileSync(path.join(dir, 'projects/real.yaml'), 'utf8')).toBe('a: quoted\n');
    expect(lstatSync(path.join(dir, 'projects/alias.yaml')).isSymbolicLink()).toBe(true);
    expect(readdirSync(path.join(dir, 'projects')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a file that is not YAML is reported with its position and left alone', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'projects'));
    writeFileSync(path.join(dir, 'projects/bad.yaml'), 'a: 1\na: 2\n');
    const r = await run(['fmt'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/projects\/bad\.yaml: 2:1: not valid YAML/);
    expect(readFileSync(path.join(dir, 'projects/bad.yaml'), 'utf8')).toBe('a: 1\na: 2\n');
  });
});
