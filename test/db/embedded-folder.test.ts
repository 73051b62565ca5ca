// The embedded database's folder against a hostile pull request and an interrupted first start: no
// link inside the project leads the database elsewhere, the folder is private whatever wrote its
// files, and a lock file that is no lock (a link to /dev/zero, a FIFO, a folder) is refused at once.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { isNewFolder, makePrivateFolder } from '../../src/db/embedded-folder.js';
import { acquireFolderLock, LOCK_FILE_NAME } from '../../src/db/folder-lock.js';
import { pgliteErrnoText } from '../../src/db/pglite-errno.js';
import { resolveMasterKey } from '../../src/keys/master-key.js';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

const quiet = { onNote: () => {} };
const modeOf = (p: string) => statSync(p).mode & 0o777;

describe('the path to the embedded database', () => {
  it('refuses a project whose .argos is a link, and writes nothing where it leads', async () => {
    const project = tempDir();
    const victim = tempDir();
    symlinkSync(victim, path.join(project, '.argos'));
    const url = parseDatabaseUrl('pglite:.argos/db', project);
    await expect(openDatabase(url, quiet)).rejects.toThrow(
      /embedded database's folder .*\.argos\/db is reached through a link \(.*\.argos\)/,
    );
    expect(readdirSync(victim)).toEqual([]);
  });

  it('refuses a default folder that is itself a link, and one reached through a linked folder deeper down', async () => {
    const project = tempDir();
    const victim = tempDir();
    mkdirSync(path.join(project, '.argos'));
    symlinkSync(victim, path.join(project, '.argos', 'db'));
    await expect(openDatabase(parseDatabaseUrl('pglite:', project), quiet)).rejects.toThrow(/through a link/);
    const deeper = tempDir();
    mkdirSync(path.join(deeper, 'state'));
    symlinkSync(victim, path.join(deeper, 'state', 'data'));
    await expect(openDatabase(parseDatabaseUrl('pglite:state/data/db', deeper), quiet)).rejects.toThrow(
      /through a link \(.*state\/data\)/,
    );
    expect(readdirSync(victim)).toEqual([]);
  });

  it('argosctl plan in a project whose committed .argos is a link: exit 1, one line naming the link, nothing written there', async () => {
    const project = tempDir();
    writeFileSync(path.join(project, 'argosctl.yaml'), 'manifests: projects\n');
    mkdirSync(path.join(project, 'projects'));
    const victim = tempDir();
    symlinkSync(victim, path.join(project, '.argos'));
    const r = await runCliInProcess(['plan'], { cwd: project, env: { CI: 'true', ARGOS_DATABASE_URL: '' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the embedded database's folder .* is reached through a link \(.*\.argos\);/m);
    expect(r.stderr).not.toMatch(/ at .*\.js:\d+/);
    expect(readdirSync(victim)).toEqual([]);
  });

  it('an absolute pglite: path inside the project (a CI job naming $GITHUB_WORKSPACE/.argos/db) is checked from the project folder', async () => {
    const project = tempDir();
    execFileSync('git', ['init', '-q'], { cwd: project });
    const victim = tempDir();
    symlinkSync(victim, path.join(project, '.argos'));
    const r = await runCliInProcess(['plan'], {
      cwd: project,
      env: { CI: 'true', ARGOS_DATABASE_URL: `pglite:${path.join(project, '.argos', 'db')}` },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is reached through a link \(.*\.argos\)/);
    expect(readdirSync(victim)).toEqual([]);
  });

  it('the same path spelled through a link above the project, or reached with .. from a subfolder, is checked too', async () => {
    const outer = tempDir();
    const project = path.join(outer, 'hp');
    mkdirSync(path.join(project, 'projects'), { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: project });
    symlinkSync(project, path.join(outer, 'hplink')); // how $PWD or $GITHUB_WORKSPACE may spell it
    const victim = tempDir();
    symlinkSync(victim, path.join(project, '.argos'));
    const spelled = await runCliInProcess(['plan'], {
      cwd: project,
      env: { CI: 'true', ARGOS_DATABASE_URL: `pglite:${path.join(outer, 'hplink', '.argos', 'db')}` },
    });
    expect(spelled.code).toBe(1);
    expect(spelled.stderr).toMatch(/is reached through a link \(.*hplink\/\.argos\)/);
    const fromSubfolder = await runCliInProcess(['plan', '--database-url', 'pglite:../.argos/db'], {
      cwd: path.join(project, 'projects'),
      env: { CI: 'true' },
    });
    expect(fromSubfolder.code).toBe(1);
    expect(fromSubfolder.stderr).toMatch(/is reached through a link/);
    expect(readdirSync(victim)).toEqual([]);
  });

  it("outside a checkout, an absolute path through a link of the user's is followed, wherever the command runs", async () => {
    const home = tempDir();
    mkdirSync(path.join(home, 'projects'));
    const disk = tempDir();
    symlinkSync(disk, path.join(home, 'data'));
    const r = await runCliInProcess(['plan', '--database-url', `pglite:${path.join(home, 'data', 'db')}`], {
      cwd: home,
    });
    expect(r.stderr).not.toMatch(/through a link/);
    expect(r.code).toBe(0);
    expect(readdirSync(path.join(disk, 'db'))).toContain('PG_VERSION');
  });

  it('refuses a link at a name that merely starts with two dots (..argos is inside the project)', async () => {
    const project = tempDir();
    const victim = tempDir();
    symlinkSync(victim, path.join(project, '..argos'));
    await expect(openDatabase(parseDatabaseUrl('pglite:..argos/db', project), quiet)).rejects.toThrow(
      /through a link \(.*\.\.argos\)/,
    );
    expect(readdirSync(victim)).toEqual([]);
  });

  it('records the folder a relative path is anchored in, and none for an absolute path', () => {
    const url = parseDatabaseUrl('pglite:/srv/argos/db', '/repo');
    expect(url).toMatchObject({ kind: 'pglite', path: '/srv/argos/db' });
    expect((url as { base?: string }).base).toBeUndefined();
    expect(parseDatabaseUrl('pglite:.argos/db', '/repo')).toMatchObject({ base: '/repo' });
  });
});

describe('the folder is private', () => {
  it('is made 0700 whatever the umask, and an existing folder open to others is closed', () => {
    const root = tempDir();
    const old = process.umask(0);
    try {
      makePrivateFolder(path.join(root, 'a', 'db'));
    } finally {
      process.umask(old);
    }
    expect(modeOf(path.join(root, 'a', 'db'))).toBe(0o700);
    const open = path.join(root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    makePrivateFolder(open);
    expect(modeOf(open)).toBe(0o700);
    const shared = path.join(root, 'group');
    mkdirSync(shared);
    chmodSync(shared, 0o750);
    expect(makePrivateFolder(shared)).toBeUndefined();
    expect(modeOf(shared)).toBe(0o750); // PostgreSQL's group-read layout is left as it is
    // …but not when PGlite's loader is about to write its 0666 files there (the group could change them)
    expect(makePrivateFolder(shared, true)).toBe(0o750);
    expect(modeOf(shared)).toBe(0o700);
  });

  it("a new 0750 folder is closed before its first start (PGlite's loader is the fallback should the write fail)", async () => {
    const dir = path.join(tempDir(), 'db');
    mkdirSync(dir);
    chmodSync(dir, 0o750);
    const database = await openDatabase(`pglite:${dir}`, quiet);
    await database.close();
    expect(modeOf(dir)).toBe(0o700);
    chmodSync(dir, 0o750); // with a database in it, PostgreSQL's group-read layout is left as it is
    await (await openDatabase(`pglite:${dir}`, quiet)).close();
    expect(modeOf(dir)).toBe(0o750);
  });

  // Giving a folder to another user takes root (CI and this machine run the suite as root).
  it.skipIf(process.getuid?.() !== 0)(
    "leaves another user's folder (a group-shared one) as it is [skipped unless root: chown needs it]",
    () => {
      const theirs = path.join(tempDir(), 'theirs');
      mkdirSync(theirs);
      chmodSync(theirs, 0o2775);
      chownSync(theirs, 65_534, 65_534);
      expect(makePrivateFolder(theirs)).toBeUndefined();
      expect(statSync(theirs).mode & 0o7777).toBe(0o2775);
    },
  );

  it('says when it closed a folder of its own', async () => {
    const mine = path.join(tempDir(), 'db');
    mkdirSync(mine);
    chmodSync(mine, 0o755);
    const notes: string[] = [];
    const database = await openDatabase(`pglite:${mine}`, { onNote: (t) => notes.push(t) });
    await database.close();
    expect(notes.join('')).toContain(`closed ${mine} to other users (mode 755 → 700)`);
  });

  it('after a first start cut short (a lock and half a template left), the next open leaves no file reachable by others', async () => {
    // The next start hands such a folder to PGlite's loader, which writes its files 0666.
    const dir = path.join(tempDir(), 'db');
    mkdirSync(path.join(dir, 'pg_wal'), { recursive: true });
    chmodSync(dir, 0o777);
    writeFileSync(path.join(dir, 'pg_wal', 'half'), '');
    writeFileSync(path.join(dir, LOCK_FILE_NAME), JSON.stringify({ pid: 999_999_999, host: hostname() }));
    expect(isNewFolder(dir)).toBe(false);
    const database = await openDatabase(`pglite:${dir}`, quiet);
    await database.close();
    expect(modeOf(dir)).toBe(0o700);
    // Others cannot even look inside, so the 0666 files PGlite wrote within are out of their reach.
    expect(modeOf(path.join(dir, 'postgresql.conf')) & 0o002).toBe(0o002);
  });

  it('a folder holding only the lock of a start cut short before its first file is new: written by argosctl', async () => {
    const dir = path.join(tempDir(), 'db');
    mkdirSync(dir);
    writeFileSync(path.join(dir, LOCK_FILE_NAME), '{"pid": 999999999}');
    expect(isNewFolder(dir)).toBe(true);
    const notes: string[] = [];
    const database = await openDatabase(`pglite:${dir}`, { onNote: (t) => notes.push(t) });
    await database.close();
    expect(notes.join('')).toMatch(/creating the embedded database/);
    // Node's writer makes every folder 0700 (PGlite's loader would have left them 0755 or 0777).
    expect(modeOf(path.join(dir, 'base'))).toBe(0o700);
    expect(modeOf(path.join(dir, 'global', 'pg_control'))).toBe(0o600);
  });
});

describe('a lock file that is no lock', () => {
  const refusalOf = (make: (lock: string) => void) => {
    const dir = tempDir();
    make(path.join(dir, LOCK_FILE_NAME));
    try {
      acquireFolderLock(dir).release();
    } catch (err) {
      return (err as Error).message;
    }
    return 'taken';
  };

  it('a link to /dev/zero is refused without reading it (it would fill memory)', () => {
    expect(refusalOf((lock) => symlinkSync('/dev/zero', lock))).toMatch(/lock file .* is a link/);
  });

  it('a dangling link, a link to a file elsewhere, a FIFO, a folder and an oversized file are refused at once', () => {
    const elsewhere = path.join(tempDir(), 'secret');
    writeFileSync(elsewhere, '{"pid": 1}');
    expect(refusalOf((lock) => symlinkSync('/nonexistent/x', lock))).toMatch(/is a link/);
    expect(refusalOf((lock) => symlinkSync(elsewhere, lock))).toMatch(/is a link/);
    expect(refusalOf((lock) => execFileSync('mkfifo', [lock]))).toMatch(/is not a regular file/);
    expect(refusalOf((lock) => mkdirSync(lock))).toMatch(/is a folder/);
    expect(refusalOf((lock) => writeFileSync(lock, 'x'.repeat(5000)))).toMatch(/is larger than 4096 bytes/);
    expect(existsSync(elsewhere)).toBe(true);
  });

  it('a take-over mutex that is a folder or a dangling link is refused, not retried ("try again" would never help)', () => {
    const stale = (lock: string) => writeFileSync(lock, '{}');
    expect(
      refusalOf((lock) => {
        stale(lock);
        mkdirSync(`${lock}.takeover`);
      }),
    ).toMatch(/lock file .*\.takeover is not a regular file/);
    expect(
      refusalOf((lock) => {
        stale(lock);
        symlinkSync('/nonexistent/x', `${lock}.takeover`);
      }),
    ).toMatch(/\.takeover is a link/);
  });

  it('a stale lock written by argosctl is still taken over', () => {
    expect(refusalOf((lock) => writeFileSync(lock, JSON.stringify({ pid: 999_999_999, host: hostname() })))).toBe(
      'taken',
    );
  });
});

describe('the master key file beside the embedded database', () => {
  it('a link planted at its name is refused, and what it points at is neither read nor closed', () => {
    const dir = path.join(tempDir(), 'db');
    const victim = tempDir();
    chmodSync(victim, 0o755);
    const victimFile = path.join(victim, 'key');
    writeFileSync(victimFile, `${randomBytes(32).toString('base64')}\n`);
    chmodSync(victimFile, 0o644);
    symlinkSync(victim, `${dir}.master-key`);
    expect(() => resolveMasterKey(`pglite:${dir}`, {})).toThrow(/master key file .* is a link/);
    expect(modeOf(victim)).toBe(0o755);
    rmSync(`${dir}.master-key`);
    symlinkSync(victimFile, `${dir}.master-key`);
    expect(() => resolveMasterKey(`pglite:${dir}`, {})).toThrow(/is a link/);
    expect(modeOf(victimFile)).toBe(0o644);
  });

  it('is made 0600 when missing (for what seals, never for what only opens), an own file open to others is closed and used, a folder there is refused', () => {
    const dir = path.join(tempDir(), 'db');
    expect(() => resolveMasterKey(`pglite:${dir}`, {})).toThrow(/master key file .* is missing/);
    expect(existsSync(`${dir}.master-key`)).toBe(false);
    const made = resolveMasterKey(`pglite:${dir}`, {}, { generate: true });
    expect(made).toHaveLength(32);
    expect(modeOf(`${dir}.master-key`)).toBe(0o600);
    chmodSync(`${dir}.master-key`, 0o644);
    expect(resolveMasterKey(`pglite:${dir}`, {}).equals(made)).toBe(true);
    expect(modeOf(`${dir}.master-key`)).toBe(0o600);
    const other = path.join(tempDir(), 'db');
    mkdirSync(`${other}.master-key`);
    expect(() => resolveMasterKey(`pglite:${other}`, {})).toThrow(/master key file .* is a folder/);
  });

  it.skipIf(process.getuid?.() !== 0)(
    "another user's key file is refused and left as it was [skipped unless root: chown needs it]",
    () => {
      const dir = path.join(tempDir(), 'db');
      writeFileSync(`${dir}.master-key`, `${randomBytes(32).toString('base64')}\n`, { mode: 0o644 });
      chownSync(`${dir}.master-key`, 65_534, 65_534);
      expect(() => resolveMasterKey(`pglite:${dir}`, {})).toThrow(/master key file .* belongs to another user/);
      expect(modeOf(`${dir}.master-key`)).toBe(0o644);
    },
  );
});

describe("PGlite's file system errors", () => {
  it('are named, not numbered', () => {
    expect(pgliteErrnoText(51)).toBe('no space left on the disk (ENOSPC)');
    expect(pgliteErrnoText(44)).toMatch(/ENOENT/);
    expect(pgliteErrnoText(20)).toMatch(/EEXIST/);
    expect(pgliteErrnoText(999)).toBe('errno 999');
    expect(pgliteErrnoText(undefined)).toBe('errno unknown');
  });
});
