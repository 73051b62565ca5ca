// argosctl init: scaffolds a config repository in the current folder (settings, an example
// manifest, .gitignore, package.json and the plan/apply/drift workflows). Nothing is overwritten:
// what exists is kept and said so.
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { scaffoldFiles } from '../../init/scaffold-files.js';
import { writeScaffold, type ScaffoldOutcome } from '../../init/write-scaffold.js';
import type { CliContext } from '../context.js';
import { ExitCode } from '../../errors.js';
import { packageVersion } from '../version.js';
import { formatOption } from '../options.js';
import { jsonDocument } from '../../render/json-document.js';

/** A kept file that lacks what the scaffold needs from it: what it lacks, and how to add it. */
const KEPT_NEEDS: Record<string, { has: RegExp; hint: string }> = {
  '.gitignore': { has: /^\/?\.argos\/?$/m, hint: 'add .argos/ to it (the embedded database)' },
  'package.json': { has: /"argosctl"\s*:/, hint: 'add argosctl to it: npm install --save-dev argosctl' },
};
const MAX_HINT_READ = 64 * 1024;

/** Reads a kept file only when it is a small regular file (never through a link). */
function keptHint(base: string, rel: string): string {
  const need = KEPT_NEEDS[rel];
  if (!need) return '';
  const full = path.join(base, rel);
  const stats = lstatSync(full);
  if (!stats.isFile() || stats.size > MAX_HINT_READ) return '';
  return need.has.test(readFileSync(full, 'utf8')) ? '' : `; ${need.hint}`;
}

function line(ctx: CliContext, o: ScaffoldOutcome): string {
  if (o.result === 'created') return `${ctx.style.green('created')} ${o.path}\n`;
  if (o.result === 'kept') {
    const why = o.link ? 'a link is there; it is not followed' : 'it exists';
    const hint = o.link ? '' : keptHint(ctx.cwd, o.path);
    return `${ctx.style.dim('kept   ')} ${o.path} (${why}${hint})\n`;
  }
  return '';
}

const NEXT = `
Next:
  npm install             # installs argosctl from package.json (workflows and editors use node_modules/argosctl);
                          # until argosctl is on the npm registry: npm install --save-dev ./argosctl-VERSION.tgz
  npx argosctl validate
  npx argosctl plan       # against the embedded database in .argos/db
  git add -A && git commit -m "argosctl init"
Before the workflows run on GitHub, add repository secrets: ARGOS_DATABASE_URL (a login in the apply
role) and ARGOS_DATABASE_URL_PLAN (a login in the read-only plan role); \`npx argosctl db roles\` prints them.
`;

export function initCommand(ctx: CliContext): Command {
  return new Command('init')
    .description(
      'scaffold a config repository here: argosctl.yaml, projects/, .gitignore, package.json, GitHub workflows; overwrites nothing',
    )
    .addOption(formatOption(['text', 'json']))
    .action((opts: { format: 'text' | 'json' }) => {
      const outcomes = writeScaffold(ctx.cwd, scaffoldFiles(packageVersion));
      const blocked = outcomes.filter((o) => o.result === 'blocked');
      if (opts.format === 'json') {
        ctx.out(jsonDocument('init', { files: outcomes }));
        if (blocked.length) throw new ExitCode(1);
        return;
      }
      for (const o of outcomes) ctx.out(line(ctx, o));
      for (const o of blocked) ctx.err(`${ctx.errStyle.red('error')}: not written: ${o.path}: ${o.reason}\n`);
      if (outcomes.every((o) => o.result === 'kept')) ctx.out('Nothing to do: every file is already there.\n');
      else ctx.out(NEXT);
      if (blocked.length) throw new ExitCode(1);
    });
}
