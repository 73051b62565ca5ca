// The embedded database's lock says which argosctl command holds it, so the refusal can say what
// to do: a server or worker holds it for as long as it runs, and waiting would never end.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireFolderLock } from '../../src/db/folder-lock.js';
import { tempDir } from '../helpers/cli.js';

// A live process of this host to hold the lock (the lock of a process that is gone is taken over).
const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
afterAll(() => {
  holder.kill();
});

function refusal(command: unknown): { message: string; hint?: string } {
  const dir = tempDir();
  writeFileSync(
    path.join(dir, '.argosctl.lock'),
    JSON.stringify({ pid: holder.pid, host: hostname(), since: '2026-12-06T10:00:00.000Z', nonce: 'n', command }),
  );
  try {
    acquireFolderLock(dir);
  } catch (err) {
    return { message: (err as Error).message, hint: (err as { hint?: string }).hint };
  }
  throw new Error('the lock was taken');
}

describe('the embedded database in use', () => {
  it('held by serve: the refusal names it and says to stop it or use PostgreSQL, not to wait', () => {
    const r = refusal('serve');
    expect(r.message).toMatch(/is in use by argosctl serve \(pid \d+ on /);
    expect(r.hint).toMatch(/holds it for as long as it runs: stop it first, or use PostgreSQL/);
    expect(r.hint).not.toMatch(/wait/);
  });

  it('held by a one-off command: wait for it', () => {
    const r = refusal('plan');
    expect(r.message).toMatch(/is in use by argosctl plan /);
    expect(r.hint).toMatch(/^wait for it to finish/);
  });

  it('a lock file written by an older version, or a hostile command name, is shown as another process', () => {
    for (const command of [undefined, 'serve\u001b[31m', 'x'.repeat(200), 42]) {
      const r = refusal(command);
      expect(r.message).toMatch(/is in use by another argosctl process \(pid/);
      expect(r.message).not.toMatch(/\u001b|xxxx/);
    }
  });
});
