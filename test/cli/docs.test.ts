// The docs and the workflows to copy name only commands and options that exist; relative links resolve.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildFullProgram } from '../../src/cli/program.js';
import { SILENT_CONTEXT } from '../helpers/cli-in-process.js';

const ctx = SILENT_CONTEXT;
const program = await buildFullProgram(ctx);

function resolve(words: string[]): { command: Command; rest: string[] } | undefined {
  let command: Command = program;
  let i = 0;
  for (; i < words.length; i++) {
    const next = command.commands.find((c) => c.name() === words[i]);
    if (!next) break;
    command = next;
  }
  return command === program ? undefined : { command, rest: words.slice(i) };
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to dashes. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));
}

function invocations(text: string): string[][] {
  // Commands as written to be run: after `npx ` or an opening backtick (prose like "argosctl keeps" is not one).
  return [...text.matchAll(/(?:npx |`)argosctl ((?:[a-z][a-z-]*)(?: [^\n`|#;&)]*)?)/g)].map((m) =>
    m[1].trim().split(/\s+/),
  );
}

const DOCS = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('the README and docs/', () => {
  it('the README fits on one screen: at most 150 lines', () => {
    expect(readFileSync('README.md', 'utf8').split('\n').length).toBeLessThanOrEqual(150);
  });

  for (const file of DOCS) {
    it(`${file}: every relative link resolves to a file, and its #anchor to a heading there`, () => {
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:)/.test(target)) continue;
        const [name, anchor] = target.split('#');
        const resolved = name ? path.join(path.dirname(file), name) : file;
        expect(existsSync(resolved), `${target} in ${file}`).toBe(true);
        if (anchor !== undefined && resolved.endsWith('.md'))
          expect(anchorsOf(resolved).has(anchor), `#${anchor} of ${target} in ${file}`).toBe(true);
      }
    });
  }
});

describe('documented invocations', () => {
  const sources = [...DOCS, ...readdirSync('examples/github').map((f) => `examples/github/${f}`)];
  it('the docs together show at least 40 invocations', () => {
    expect(DOCS.flatMap((f) => invocations(readFileSync(f, 'utf8'))).length).toBeGreaterThanOrEqual(40);
  });
  for (const file of sources) {
    it(`${file} uses only real commands and options`, () => {
      const text = readFileSync(file, 'utf8');
      const calls = invocations(text);
      for (const words of calls) {
        const found = resolve(words);
        expect(found, `"argosctl ${words.join(' ')}" in ${file}`).toBeDefined();
        const known = new Set(found!.command.options.flatMap((o) => [o.long, o.short]).filter(Boolean));
        for (const flag of found!.rest.filter((w) => w.startsWith('--'))) {
          expect(known.has(flag.replace(/=.*/, '')), `${flag} of "argosctl ${words.join(' ')}" in ${file}`).toBe(true);
        }
      }
    });
  }

  it('every command, subcommand and option appears in docs/', () => {
    const docs = DOCS.filter((f) => f.startsWith('docs/'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const missing: string[] = [];
    const walk = (command: Command, prefix: string[]) => {
      for (const sub of command.commands) {
        if ((sub as unknown as { _hidden?: boolean })._hidden) continue;
        const words = [...prefix, sub.name()];
        if (!docs.includes(words.join(' '))) missing.push(words.join(' '));
        for (const o of sub.options)
          if (!o.hidden && o.long && !docs.includes(o.long)) missing.push(`${words.join(' ')} ${o.long}`);
        walk(sub, words);
      }
    };
    walk(program, []);
    expect(missing).toEqual([]);
  });

  it('the workflows are valid YAML with jobs', () => {
    for (const f of readdirSync('examples/github'))
      expect(Object.keys(parse(readFileSync(`examples/github/${f}`, 'utf8')).jobs).length).toBeGreaterThan(0);
  });
});
