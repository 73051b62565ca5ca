// PGlite keeps one process per data folder. A lock file with the owner's pid makes a second
// process fail clearly instead of corrupting the folder; a lock left by a dead process is taken over.
// A lock from another host is never taken over: its pid says nothing here, and two machines sharing
// a folder (a network mount, a cached CI workspace) would corrupt it.
//
// Every step is atomic, so processes racing for a stale lock end with exactly one holder:
// - the lock's content is written to a new private file first (O_EXCL), then link()ed into place:
//   link fails when a lock exists, and nobody ever reads a half-written lock;
// - a stale lock is replaced (rename over it) only under a short take-over mutex (O_EXCL), after
//   reading it again inside the mutex: two takers cannot both judge the same stale lock and both win;
// - after taking it, the lock is read back: it must be ours.
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, lstatSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { LockError } from '../errors.js';
import { CREATE_NEW } from '../util/atomic-write.js';
import { readOwnSmallFile } from '../util/safe-read.js';

export interface FolderLock {
  release(): void;
}

interface Holder {
  pid?: number;
  host?: string;
  since?: string;
  nonce?: string;
  /** The argosctl command holding it (`serve`, `plan`, …), so a refusal can say what to stop. */
  command?: string;
}

/** An argosctl command's name, as this process records it and a refusal shows it (a lock file is read back). */
const COMMAND_NAME = /^[a-z][a-z-]{0,30}$/;

/** Commands that hold the folder for as long as they run, not for one job. */
const LONG_RUNNING = new Set(['serve', 'worker', 'dashboard']);

/** This process's argosctl command: the first argument that is a word, not a flag. */
function commandName(): string | undefined {
  return process.argv.slice(2).find((a) => COMMAND_NAME.test(a));
}

/** A take-over mutex is held for microseconds; one this old was left by a process that died holding it. */
const STALE_MUTEX_MS = 10_000;
const ATTEMPTS = 50;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** A lock holds one short JSON line; anything longer was not written by argosctl. */
const LOCK_MAX_BYTES = 4096;

function notALock(file: string, problem: string): LockError {
  return new LockError(
    `the embedded database's lock file ${file} ${problem}; argosctl writes it as a small regular file of its own`,
    'delete it when no argosctl process uses the folder',
  );
}

/**
 * The lock file's text, '' when it is gone. Never through a link and never more than a lock holds:
 * a pull request can commit the lock as a link to /dev/zero (read without end) or to a file elsewhere.
 */
function readText(file: string): string {
  const read = readOwnSmallFile(file, LOCK_MAX_BYTES);
  if (read.ok) return read.bytes.toString('utf8');
  if (read.missing) return '';
  throw notALock(file, read.problem);
}

function parse(text: string): Holder {
  try {
    const value = JSON.parse(text) as Holder;
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {}; // written by an older argosctl half-way: stale
  }
}

function writeNew(file: string, text: string): void {
  const fd = openSync(file, CREATE_NEW, 0o644);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    /* already gone */
  }
}

/** Runs `fn` holding the take-over mutex, or returns undefined when another process holds it now. */
function withTakeoverMutex<T>(file: string, fn: () => T): T | undefined {
  const mutex = `${file}.takeover`;
  try {
    writeNew(mutex, String(process.pid));
  } catch (err) {
    if (code(err) !== 'EEXIST') throw err;
    let stats: ReturnType<typeof lstatSync>;
    try {
      stats = lstatSync(mutex);
    } catch {
      return undefined; // released meanwhile
    }
    // Never removed or waited out: a link or a folder there would make every start fail with "try again".
    if (!stats.isFile()) throw notALock(mutex, stats.isSymbolicLink() ? 'is a link' : 'is not a regular file');
    if (Date.now() - stats.mtimeMs > STALE_MUTEX_MS) removeQuietly(mutex);
    return undefined;
  }
  try {
    return fn();
  } finally {
    removeQuietly(mutex);
  }
}

function refuse(dir: string, file: string, holder: Holder): never {
  if (holder.host && holder.host !== hostname()) {
    const shown = (v: unknown) => JSON.stringify(String(v).slice(0, 100)); // the file's text, inert
    throw new LockError(
      `the embedded database ${dir} is locked by argosctl on another host, ${shown(holder.host)} ` +
        `(pid ${Number(holder.pid) || '?'}, since ${shown(holder.since)})`,
      `PGlite allows one process per data folder; if no argosctl runs on that host any more, delete ${file}`,
    );
  }
  const command = typeof holder.command === 'string' && COMMAND_NAME.test(holder.command) ? holder.command : '';
  const what = command ? `argosctl ${command}` : 'another argosctl process';
  throw new LockError(
    `the embedded database ${dir} is in use by ${what} (pid ${holder.pid} on ${holder.host}, since ${holder.since})`,
    LONG_RUNNING.has(command)
      ? `\`argosctl ${command}\` holds it for as long as it runs: stop it first, or use PostgreSQL (--database-url or ARGOS_DATABASE_URL) to run it beside other commands; PGlite allows one process per data folder`
      : 'wait for it to finish; PGlite allows one process per data folder (use PostgreSQL for concurrent use)',
  );
}

/** A lock nobody holds any more: this host's, and its process is gone (or it cannot be read as a lock). */
function isStale(holder: Holder, mine: Holder): boolean {
  if (holder.host && holder.host !== hostname()) return false;
  if (holder.nonce === mine.nonce) return false;
  return !(holder.pid && alive(holder.pid) && holder.pid !== process.pid);
}

/** The lock's file, inside the folder it locks. */
export const LOCK_FILE_NAME = '.argosctl.lock';

export function acquireFolderLock(dir: string): FolderLock {
  const file = path.join(dir, LOCK_FILE_NAME);
  const mine: Holder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    nonce: randomBytes(8).toString('hex'),
    command: commandName(),
  };
  const text = JSON.stringify(mine);
  const release = () => {
    // Only our own lock: after a take-over by someone else it is theirs (and one swapped for
    // something that is no lock is left for the next start to refuse).
    let held: Holder;
    try {
      held = parse(readText(file));
    } catch {
      return;
    }
    if (held.nonce === mine.nonce) removeQuietly(file);
  };
  const tmp = `${file}.${process.pid}.${mine.nonce}`;
  writeNew(tmp, text);
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        linkSync(tmp, file); // atomic: fails when a lock is there
        return { release };
      } catch (err) {
        if (code(err) !== 'EEXIST') throw err;
      }
      const seen = readText(file);
      if (seen === '') continue; // released meanwhile: link again
      const holder = parse(seen);
      if (!isStale(holder, mine)) refuse(dir, file, holder);
      const taken = withTakeoverMutex(file, () => {
        // Inside the mutex, the same stale lock must still be there: else someone took it first.
        if (readText(file) !== seen) return false;
        renameSync(tmp, file);
        return true;
      });
      if (taken) {
        // Re-check after: the lock in place must be ours.
        const now = parse(readText(file));
        if (now.nonce === mine.nonce) return { release };
        refuse(dir, file, now);
      }
      // Another taker is inside the mutex: give it a few milliseconds (sync, like opening the database).
      if (taken === undefined) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5 + attempt * 2);
    }
  } finally {
    removeQuietly(tmp); // gone already when renamed into place; a hard link otherwise
  }
  throw new LockError(`could not lock the embedded database folder ${dir}`, 'try again');
}
