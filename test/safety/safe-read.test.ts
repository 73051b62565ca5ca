// Every file argosctl reads for a user goes through src/util/safe-read.ts (issue 17, finding 5):
// `tokens import` of a link to /proc/self/environ printed the GitHub token, the database password
// and ARGOS_MASTER_KEY in its "columns:" error, and /dev/zero grew to gigabytes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInside, readRegularFile } from '../../src/util/safe-read.js';
import { tempDir, type CliResult } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

const CANARY = 'CANARY_5a1c_SECRET_DO_NOT_PRINT';
const SECRET_ENV = { GITHUB_TOKEN: CANARY, ARGOS_DATABASE_PASSWORD: CANARY };

function expectClean(r: CliResult): void {
  expect(r.stdout + r.stderr).not.toContain(CANARY);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
}

/** A folder with a link to /proc/self/environ, /dev/zero, a FIFO and a folder. */
function hostileFolder(): string {
  const cwd = tempDir();
  symlinkSync('/proc/self/environ', path.join(cwd, 'environ.csv'));
  symlinkSync('/dev/zero', path.join(cwd, 'zero.csv'));
  execFileSync('mkfifo', [path.join(cwd, 'fifo.csv')]);
  mkdirSync(path.join(cwd, 'folder.csv'));
  return cwd;
}

describe('the one safe reader', () => {
  it('refuses /proc/self/environ (a link to it too), /dev/zero, a FIFO and a folder without reading them', () => {
    const cwd = hostileFolder();
    expect(readRegularFile('/proc/self/environ', 1024)).toMatchObject({ ok: false, rule: 'files.not-regular' });
    expect(readRegularFile(path.join(cwd, 'environ.csv'), 1024)).toMatchObject({
      ok: false,
      problem: 'is a link to a kernel pseudo-file (/proc, /sys), not a regular file',
    });
    expect(readRegularFile(path.join(cwd, 'zero.csv'), 1024)).toMatchObject({
      ok: false,
      problem: 'is a link to a device, not a regular file',
    });
    expect(readRegularFile(path.join(cwd, 'fifo.csv'), 1024)).toMatchObject({
      ok: false,
      problem: 'is a FIFO (named pipe), not a regular file',
    });
    expect(readRegularFile(path.join(cwd, 'folder.csv'), 1024)).toMatchObject({
      ok: false,
      problem: 'is a folder, not a regular file',
    });
    writeFileSync(path.join(cwd, 'big.csv'), 'x'.repeat(2048));
    expect(readRegularFile(path.join(cwd, 'big.csv'), 1024)).toMatchObject({ ok: false, problem: 'is 2,048 bytes' });
    writeFileSync(path.join(cwd, 'ok.csv'), 'abc');
    symlinkSync('ok.csv', path.join(cwd, 'link.csv'));
    const ok = readRegularFile(path.join(cwd, 'link.csv'), 1024);
    expect(ok.ok && ok.bytes.toString()).toBe('abc');
  });

  it('a file whose name starts with two dots (..odd.yaml) is inside the root; the parent folder is not', () => {
    const root = realpathSync(tempDir());
    writeFileSync(path.join(root, '..odd.yaml'), 'abc');
    const read = readRegularFile(path.join(root, '..odd.yaml'), 1024, root);
    expect(read.ok && read.bytes.toString()).toBe('abc');
    expect(isInside(root, path.join(root, '..odd.yaml'))).toBe(true);
    expect(isInside(root, path.dirname(root))).toBe(false);
    expect(isInside(root, path.join(path.dirname(root), 'sibling'))).toBe(false);
  });

  it('a file the listing saw as regular, swapped since for a link, a FIFO or a big file, gets the full checks', () => {
    const cwd = hostileFolder();
    const root = realpathSync(cwd);
    writeFileSync(path.join(root, 'big.csv'), 'x'.repeat(2048));
    writeFileSync(path.join(root, 'ok.csv'), 'abc');
    symlinkSync('/etc/hostname', path.join(root, 'outside.csv'));
    // As FolderRealPaths after a listing in which every one of these was a plain file.
    const names = ['environ.csv', 'zero.csv', 'fifo.csv', 'folder.csv', 'big.csv', 'ok.csv', 'outside.csv'];
    const shortcuts = {
      notLinkReal: (full: string) => full,
      pseudoDevices: new Map<number, boolean>(),
      listedRegular: new Set(names.map((n) => path.join(root, n))),
    };
    const read = (name: string) => readRegularFile(path.join(root, name), 1024, root, shortcuts);
    expect(read('environ.csv')).toMatchObject({ ok: false, rule: 'files.outside-root' });
    expect(read('zero.csv')).toMatchObject({ ok: false, rule: 'files.outside-root' });
    expect(read('fifo.csv')).toMatchObject({ ok: false, problem: 'is a FIFO (named pipe), not a regular file' });
    expect(read('folder.csv')).toMatchObject({ ok: false, problem: 'is a folder, not a regular file' });
    expect(read('big.csv')).toMatchObject({ ok: false, problem: 'is 2,048 bytes' });
    expect(read('outside.csv')).toMatchObject({ ok: false, rule: 'files.outside-root' });
    expect(read('gone.csv')).toMatchObject({ ok: false, rule: 'files.missing' });
    const ok = read('ok.csv');
    expect(ok.ok && ok.bytes.toString()).toBe('abc');
  });

  it('tokens import of a link to /proc/self/environ with secrets in the environment: one line, no secret', async () => {
    const cwd = hostileFolder();
    const r = await runCliInProcess(['tokens', 'import', 'p1', 'environ.csv'], { cwd, env: SECRET_ENV });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'token file "environ.csv" is a link to a kernel pseudo-file (/proc, /sys), not a regular file',
    );
    expectClean(r);
  });

  it('tokens import of /dev/zero, a FIFO and a folder: refused at once, one line each', async () => {
    const cwd = hostileFolder();
    for (const [file, what] of [
      ['zero.csv', 'a device'],
      ['fifo.csv', 'a FIFO (named pipe)'],
      ['folder.csv', 'a folder'],
    ]) {
      const r = await runCliInProcess(['tokens', 'import', 'p1', file], { cwd, env: SECRET_ENV });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `token file "${file}" is ${file === 'folder.csv' || file === 'fifo.csv' ? '' : 'a link to '}${what}, not a regular file`,
      );
      expectClean(r);
    }
  });

  it('a CSV header of secret-looking columns is echoed only as short escaped excerpts', async () => {
    const cwd = tempDir();
    const long = `GITHUB_TOKEN=${'g'.repeat(60)}${CANARY}`;
    writeFileSync(path.join(cwd, 'ids.csv'), `${long},b\u001b[31m,c,d,e,f,g\nabc12345,x,y,z,1,2,3\n`);
    const r = await runCliInProcess(['tokens', 'import', 'p1', 'ids.csv'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no tokenId, token_id or id column in the header (7 columns: "GITHUB_TOKEN=ggg');
    expect(r.stderr).not.toContain('\u001b');
    expectClean(r);
  });

  it('transmit seal --in, --public-key, keys rewrap --new-key-file and apply PLAN refuse /proc/self/environ and /dev/zero', async () => {
    const cwd = hostileFolder();
    const cases: [string[], string][] = [
      [
        ['transmit', 'seal', '--public-key', 'environ.csv', '--in', 'environ.csv'],
        'public key file "environ.csv" is a link to a kernel pseudo-file',
      ],
      [
        ['transmit', 'open', '--private-key', 'zero.csv', '--in', 'zero.csv'],
        'private key file "zero.csv" is a link to a device',
      ],
      [
        ['keys', 'rewrap', '--new-key-file', 'environ.csv'],
        'the master key file "environ.csv" is a link to a kernel pseudo-file',
      ],
      [['apply', 'environ.csv'], 'plan file "environ.csv" is a link to a kernel pseudo-file'],
      [['apply', 'zero.csv'], 'plan file "zero.csv" is a link to a device'],
    ];
    for (const [args, message] of cases) {
      const r = await runCliInProcess(args, { cwd, env: SECRET_ENV });
      expect(r.stderr, args.join(' ')).toContain(message);
      expect(r.code, args.join(' ')).not.toBe(0);
      expectClean(r);
    }
  });
});
