// PGlite keeps one process per data folder. A lock file with the owner's pid makes a second
// process fail clearly instead of corrupting the folder; a lock left by a dead process is taken over.
// A lock from another host is never taken over: its pid says nothing here, and two machines sharing
// a folder (a network mount, a cached CI workspace) would corrupt it.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { LockError } from '../errors.js';

export interface FolderLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireFolderLock(dir: string): FolderLock {
  const file = path.join(dir, '.argosctl.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      closeSync(fd);
      return {
        release: () => {
          try {
            unlinkSync(file);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: { pid?: number; host?: string; since?: string } = {};
      try {
        holder = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        /* half-written: treat as stale */
      }
      if (holder.host && holder.host !== hostname()) {
        const shown = (v: unknown) => JSON.stringify(String(v).slice(0, 100)); // the file's text, inert
        throw new LockError(
          `the embedded database ${dir} is locked by argosctl on another host, ${shown(holder.host)} ` +
            `(pid ${Number(holder.pid) || '?'}, since ${shown(holder.since)})`,
          `PGlite allows one process per data folder; if no argosctl runs on that host any more, delete ${file}`,
        );
      }
      if (holder.pid && alive(holder.pid) && holder.pid !== process.pid) {
        throw new LockError(
          `the embedded database ${dir} is in use by another argosctl process (pid ${holder.pid} on ${holder.host}, since ${holder.since})`,
          'wait for it to finish; PGlite allows one process per data folder (use PostgreSQL for concurrent use)',
        );
      }
      try {
        unlinkSync(file);
      } catch {
        /* raced with another taker */
      }
    }
  }
  throw new LockError(`could not lock the embedded database folder ${dir}`, 'try again');
}
