// Man pages (roff) generated from the command tree, so they say exactly what `--help` says:
// argosctl(1) lists the commands by group, argosctl-COMMAND(1) holds a command (and its
// subcommands) with every option and the examples. Written by scripts/build-man.mjs at build time.
import { type Command, Help, type Option } from 'commander';
import { HELP_EXAMPLES } from './help-examples.js';

export interface ManPage {
  /** File name, e.g. argosctl-plan.1 */
  file: string;
  text: string;
}

/** Text safe for roff: backslashes escaped, no line starting with a control character. */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

function usage(cmd: Command, words: string[]): string {
  const args = cmd.registeredArguments.map((a) => {
    const name = `${a.name()}${a.variadic ? '...' : ''}`;
    return a.required ? `<${name}>` : `[${name}]`;
  });
  return ['argosctl', ...words, cmd.options.length ? '[options]' : '', ...args].filter(Boolean).join(' ');
}

/** What `--help` says of an option (choices and defaults included), on one line. */
function describe(option: Option): string {
  return new Help().optionDescription(option).replace(' (default: [])', '').replace(/\s+/g, ' ');
}

function optionLines(options: readonly Option[]): string[] {
  return options.filter((o) => !o.hidden).flatMap((o) => ['.TP', `.B ${roff(o.flags)}`, roff(describe(o))]);
}

function commandSection(cmd: Command, words: string[], heading: string): string[] {
  const lines = [`.SH ${heading}`, '.nf', roff(usage(cmd, words)), '.fi', roff(cmd.description())];
  if (cmd.options.length) lines.push('.PP', 'Options:', ...optionLines(cmd.options));
  const examples = HELP_EXAMPLES[words.join(' ')];
  if (examples?.length) lines.push('.PP', 'Examples:', '.nf', ...examples.map((e) => roff(`  $ ${e}`)), '.fi');
  return lines;
}

function header(name: string, version: string, summary: string): string[] {
  return [
    `.TH ${roff(name.toUpperCase())} 1 "" "argosctl ${roff(version)}" "argosctl manual"`,
    '.SH NAME',
    `${roff(name)} \\- ${roff(summary)}`,
  ];
}

function commandPage(cmd: Command, version: string): ManPage {
  const words = [cmd.name()];
  const lines = [...header(`argosctl-${cmd.name()}`, version, cmd.description())];
  lines.push(...commandSection(cmd, words, 'SYNOPSIS'));
  for (const sub of cmd.commands) {
    lines.push(...commandSection(sub, [...words, sub.name()], roff(`${cmd.name()} ${sub.name()}`).toUpperCase()));
  }
  lines.push('.SH SEE ALSO', 'argosctl(1)');
  return { file: `argosctl-${cmd.name()}.1`, text: `${lines.join('\n')}\n` };
}

function indexPage(program: Command, version: string): ManPage {
  const lines = [...header('argosctl', version, program.description())];
  lines.push('.SH SYNOPSIS', '.B argosctl', 'COMMAND [options]', '.SH COMMANDS');
  let group = '';
  for (const cmd of program.commands) {
    const heading = cmd.helpGroup().replace(/:$/, '');
    if (heading && heading !== group) lines.push('.SS', roff(heading));
    group = heading;
    lines.push('.TP', `.B ${roff(cmd.name())}`, `${roff(cmd.description())} See argosctl\\-${roff(cmd.name())}(1).`);
  }
  lines.push('.SH EXIT STATUS', '.TP', '0', 'success; no changes for plan \\-\\-detailed\\-exitcode and drift');
  lines.push('.TP', '1', 'error: invalid manifests, bad arguments, database unreachable, apply rolled back');
  lines.push('.TP', '2', 'plan \\-\\-detailed\\-exitcode and drift: there are changes');
  lines.push('.TP', '3', 'refused by a safety guard');
  lines.push('.SH ENVIRONMENT', '.TP', 'ARGOS_DATABASE_URL', 'the database when \\-\\-database\\-url is not given');
  lines.push('.TP', 'ARGOS_MASTER_KEY_FILE, ARGOS_MASTER_KEY', 'the master key that seals key material');
  lines.push('.TP', 'NO_COLOR', 'no colour when set to a non\\-empty value');
  lines.push('.SH SEE ALSO', program.commands.map((c) => `argosctl\\-${roff(c.name())}(1)`).join(', '));
  return { file: 'argosctl.1', text: `${lines.join('\n')}\n` };
}

export function manPages(program: Command, version: string): ManPage[] {
  return [indexPage(program, version), ...program.commands.map((cmd) => commandPage(cmd, version))];
}
