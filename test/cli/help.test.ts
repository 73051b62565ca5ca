// Help a person can use: `argosctl --help` grouped, every command's help ending with examples that
// run real commands with real options, no library words, and man pages that hold every command,
// subcommand and option.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { HELP_EXAMPLES } from '../../src/cli/help-examples.js';
import { manPages } from '../../src/cli/man-pages.js';
import { buildFullProgram, GROUPS } from '../../src/cli/program.js';
import { runCliInProcess, SILENT_CONTEXT } from '../helpers/cli-in-process.js';

const run = (args: string[]) => runCliInProcess(args, { cwd: process.cwd() });

const ctx = SILENT_CONTEXT;
const program = await buildFullProgram(ctx);

function everyCommand(cmd: Command = program, words: string[] = []): { cmd: Command; words: string[] }[] {
  return cmd.commands.flatMap((sub) => [
    { cmd: sub, words: [...words, sub.name()] },
    ...everyCommand(sub, [...words, sub.name()]),
  ]);
}

/** The command and the words after it that an example line names, or undefined. */
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

describe('argosctl --help', () => {
  it('lists the commands under the headings Manifests, Pull requests and CI, Tokens and service, Keys, Audit, Setup, in that order', async () => {
    const help = (await run(['--help'])).stdout;
    const headings = [...help.matchAll(/^([A-Z][A-Za-z ]+):$/gm)].map((m) => m[1]);
    expect(headings).toEqual(['Usage', 'Options', ...GROUPS, 'Examples'].filter((h) => h !== 'Usage'));
    expect(help).not.toMatch(/^Commands:$/m);
  });

  it('speaks no library words: no "(default: [])", no "command-argument", no "argument \'which\'"', async () => {
    for (const { words } of everyCommand()) {
      const help = (await run([...words, '--help'])).stdout;
      expect(help, words.join(' ')).not.toContain('(default: [])');
    }
    const wrong = await run(['schema', 'nope']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("error: 'nope' is not a valid schema; allowed: project, project-v1, config.");
    expect(wrong.stderr).not.toMatch(/command-argument|argument 'which'/);
    const format = await run(['plan', '--format', 'yaml']);
    expect(format.stderr).toContain("error: --format 'yaml' is not allowed; allowed: text, markdown, json.");
  });
});

describe('examples in every help page', () => {
  for (const { words } of everyCommand()) {
    it(`argosctl ${words.join(' ')} --help ends with two or three examples of real commands and options`, async () => {
      const examples = HELP_EXAMPLES[words.join(' ')] ?? [];
      expect(examples.length).toBeGreaterThanOrEqual(2);
      expect(examples.length).toBeLessThanOrEqual(3);
      const help = (await run([...words, '--help'])).stdout;
      expect(help.trimEnd().split('\n').slice(-examples.length)).toEqual(examples.map((e) => `  $ ${e}`));
      for (const example of examples) {
        const invocation = /argosctl ([^#|<>&]*)/.exec(example)?.[1].trim().split(/\s+/) ?? [];
        const found = resolve(invocation);
        // the command itself, or (for a group such as `tokens`) one of its subcommands
        expect(invocation.slice(0, words.length), example).toEqual(words);
        expect(found, example).toBeDefined();
        const known = new Set(found!.command.options.flatMap((o) => [o.long, o.short]).filter(Boolean));
        for (const flag of found!.rest.filter((w) => w.startsWith('--')))
          expect(known.has(flag), `${flag} in "${example}"`).toBe(true);
      }
    });
  }
});

describe('man pages', () => {
  const pages = manPages(program, '0.0.0-test');
  const all = pages.map((p) => p.text.replace(/\\-/g, '-').replace(/\\e/g, '\\')).join('\n');

  it('argosctl.1 and one argosctl-COMMAND.1 per command', () => {
    expect(pages.map((p) => p.file).sort()).toEqual(
      ['argosctl.1', ...program.commands.map((c) => `argosctl-${c.name()}.1`)].sort(),
    );
  });

  it('name every command, subcommand and option', () => {
    for (const { cmd, words } of everyCommand()) {
      expect(all, words.join(' ')).toContain(words.join(' '));
      for (const option of cmd.options.filter((o) => !o.hidden))
        expect(all, `${words.join(' ')} ${option.flags}`).toContain(option.flags);
    }
  });

  it('no line starts with a roff control character taken from help text', () => {
    for (const page of pages)
      for (const line of page.text.split('\n'))
        expect(line, page.file).toMatch(/^(\.(TH|SH|SS|TP|B|PP|nf|fi)\b|[^.'])|^$/);
  });
});
