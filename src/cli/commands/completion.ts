// argosctl completion bash|zsh|fish: a completion script generated from the program tree.
import { Argument, Command } from 'commander';
import { bashCompletion, fishCompletion, zshCompletion } from '../completion-script.js';
import type { CliContext } from '../context.js';

const SHELLS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const;

export function completionCommand(ctx: CliContext): Command {
  return new Command('completion')
    .description('print a shell completion script (bash: source <(argosctl completion bash))')
    .addArgument(new Argument('<shell>', 'the shell').choices(Object.keys(SHELLS)))
    .action(async (shell: keyof typeof SHELLS) => {
      // Commands load lazily, so the tree this command sits in holds stand-ins: complete from the full one.
      const { buildFullProgram } = await import('../program.js');
      ctx.out(SHELLS[shell](await buildFullProgram(ctx)));
    });
}
