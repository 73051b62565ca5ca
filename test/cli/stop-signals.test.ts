// serve, worker and dashboard stop cleanly on SIGINT (and serve on SIGHUP; SIGTERM: the serve,
// worker and dashboard tests), and when the process that started them is gone (`npx` and `npm exec`
// take the signal themselves: scripts/check-package.sh runs all three each of those ways).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../helpers/cli.js';
import { useCliDatabase } from '../helpers/databases.js';

function start(
  args: string[],
  cwd: string,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d) => (text += d));
  child.stderr?.on('data', (d) => (text += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  // A safety net against a hang, not a speed limit: the loop ends as soon as the condition holds.
  for (let i = 0; i < 6000; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('long-running commands stop', () => {
  // serve and the dashboard stop on SIGINT on the embedded database (closing PGlite is part of
  // stopping), one folder for both: whichever starts first creates it, the other opens it again
  // (a new folder costs a spawned process seconds of CPU more), which also shows the first closed
  // it cleanly. The stop is the same code for every signal (src/cli/stop-signals.ts), so serve on
  // SIGHUP, the worker and the orphaned serve use a PostgreSQL database from the template when there
  // is one, which a new process opens in a fraction of an embedded database's start.
  const postgres = useCliDatabase();
  const dbFor = (dir: string) => postgres.url ?? `pglite://${path.join(dir, 'db')}`;
  let embeddedFolder: string | undefined;
  const embedded = () => `pglite://${path.join((embeddedFolder ??= tempDir()), 'db')}`;
  // SIGTERM is what most test files use to stop serve; SIGHUP (a closed terminal) is the odd one out.
  for (const signal of ['SIGHUP', 'SIGINT'] as const) {
    it(`serve stops cleanly on ${signal}`, async () => {
      const dir = tempDir();
      const db = signal === 'SIGINT' ? embedded() : dbFor(dir);
      const serve = start(['serve', '--port', '0', '--database-url', db], dir);
      await until(() => serve.output().includes('listening on'), 'serve to listen');
      serve.child.kill(signal);
      expect(await serve.exited).toBe(0);
      expect(serve.output()).toContain('serve: stopped; closing the database');
    });
  }

  it('worker stops cleanly on SIGINT', async () => {
    const dir = tempDir();
    const worker = start(['worker', '--database-url', dbFor(dir)], dir);
    await until(() => worker.output().includes('argosctl worker'), 'the worker to start');
    worker.child.kill('SIGINT');
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toContain('stopping: finishing the current batch');
  });

  it('dashboard stops cleanly on SIGINT', async () => {
    const dir = tempDir();
    const db = embedded();
    const dashboard = start(['dashboard', '--local-login', '--port', '0', '--database-url', db], dir);
    await until(() => dashboard.output().includes('dashboard on http://127.0.0.1:'), 'the dashboard to listen');
    dashboard.child.kill('SIGINT');
    expect(await dashboard.exited).toBe(0);
    expect(dashboard.output()).toContain('dashboard: stopped');
  });

  it('serve stops when the process that started it is killed (as npx is on SIGTERM)', async () => {
    const dir = tempDir();
    const db = dbFor(dir);
    // A parent that starts serve and prints its pid, then is killed with SIGKILL: nothing passes a signal on.
    const launcher = `const c = require('node:child_process').spawn(process.execPath, ${JSON.stringify([BIN, 'serve', '--port', '0', '--database-url', db])}, { stdio: ['ignore', 'inherit', 'inherit'] }); console.log('pid ' + c.pid);`;
    const parent = spawn(process.execPath, ['-e', launcher], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    parent.stdout.on('data', (d) => (text += d));
    parent.stderr.on('data', (d) => (text += d));
    await until(() => /pid \d+/.test(text) && text.includes('listening on'), 'serve under the parent to listen');
    const pid = Number(/pid (\d+)/.exec(text)?.[1]);
    parent.kill('SIGKILL');
    await until(() => !alive(pid), 'serve to end after its parent');
    expect(alive(pid)).toBe(false);
  });
});
