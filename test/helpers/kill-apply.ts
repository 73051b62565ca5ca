// Crash tests: a real `argosctl apply` process SIGKILLed at a random moment.
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './cli.js';
import { waitFor } from './wait.js';

/**
 * Starts `argosctl apply` and SIGKILLs it at a random moment of a phase reached by the process
 * itself, not by the clock: on even runs within 1.5 s after `started()` holds (it took its lock),
 * on odd runs within 1 s after it began writing. Resolves once the process is gone.
 */
export async function killApplyAtRandom(
  run: number,
  args: string[],
  options: {
    cwd?: string;
    started: (child: ChildProcess) => boolean | Promise<boolean>;
  },
): Promise<void> {
  const child = spawn(process.execPath, [BIN, 'apply', '--auto-approve', ...args], {
    cwd: options.cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    // CI unset: with CI set and no database configured, apply would refuse instead of racing the kill.
    env: { ...process.env, CI: '' },
  });
  let stderr = '';
  let exited = false;
  child.stderr!.on('data', (d) => (stderr += d));
  const closed = new Promise((r) =>
    child.on('close', () => {
      exited = true;
      r(undefined);
    }),
  );
  const writing = run % 2 === 1;
  await waitFor(
    writing ? 'the apply to start writing' : 'the apply to take its lock',
    async () => exited || (writing ? /apply: writing/.test(stderr) : await options.started(child)),
  );
  await new Promise((r) => setTimeout(r, Math.floor(Math.random() * (writing ? 1000 : 1500))));
  child.kill('SIGKILL');
  await closed;
}
