// argosctl completion bash|zsh|fish: a completion script generated from the program tree.
// `completion --project-ids` (hidden) is what the scripts call to complete `--project`.
import { Argument, Command, Option } from 'commander';
import { bashCompletion, fishCompletion, zshCompletion } from '../completion-script.js';
import type { CliContext } from '../context.js';
import { UserError } from '../../errors.js';

const SHELLS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const;

export function completionCommand(ctx: CliContext): Command {
  return new Command('completion')
    .description('print a shell completion script (bash: source <(argosctl completion bash))')
    .addArgument(new Argument('[shell]', 'the shell').choices(Object.keys(SHELLS)))
    .addOption(new Option('--project-ids', 'print the project ids of the manifests, one a line').hideHelp())
    .addOption(new Option('--dir <dir>', 'manifest folder').hideHelp())
    .action(async (shell: keyof typeof SHELLS | undefined, opts: { projectIds?: boolean; dir?: string }) => {
      if (opts.projectIds) {
        const { completionProjectIds } = await import('../completion-project-ids.js');
        for (const id of completionProjectIds(opts.dir ?? 'projects')) ctx.out(`${id}\n`);
        return;
      }
      if (!shell) throw new UserError('name the shell: argosctl completion bash|zsh|fish');
      // Commands load lazily, so the tree this command sits in holds stand-ins: complete from the full one.
      const { buildFullProgram } = await import('../program.js');
      ctx.out(SHELLS[shell](await buildFullProgram(ctx)));
    });
}
