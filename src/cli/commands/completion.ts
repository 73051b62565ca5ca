// argosctl completion bash|zsh|fish: a completion script generated from the program tree.
import { Argument, Command } from 'commander';
import { bashCompletion, fishCompletion, zshCompletion } from '../completion-script.js';
import type { CliContext } from '../context.js';

const SHELLS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const;

export function completionCommand(ctx: CliContext): Command {
  const cmd: Command = new Command('completion')
    .description('print a shell completion script (bash: source <(argosctl completion bash))')
    .addArgument(new Argument('<shell>', 'the shell').choices(Object.keys(SHELLS)))
    .action((shell: keyof typeof SHELLS) => {
      let root = cmd;
      while (root.parent) root = root.parent;
      ctx.out(SHELLS[shell](root));
    });
  return cmd;
}
