// Issue 17, findings 7 and 8: six processes taking over a stale embedded-database lock at once
// gave up to five holders; `plan --out` wrote its temporary file without O_EXCL, so a link planted
// at its path was written through.
import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { temporaryPaths, writeFileAtomic } from '../../src/util/atomic-write.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { type SavedPlan, writePlanFile } from '../../src/cli/plan-file.js';

const DEAD_PID = 2 ** 22 + 4321;
const nextTemporary = temporaryPaths.next;
afterEach(() => {
  temporaryPaths.next = nextTemporary;
});

/** A child that tries the lock once, prints "held" or "refused", and keeps a held lock until its stdin closes. */
function contender(dir: string): { result: Promise<string>; done: () => void } {
  const lockModule = path.join(ROOT, 'dist/db/folder-lock.js');
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { acquireFolderLock } = await import(${JSON.stringify(lockModule)});
       try { acquireFolderLock(${JSON.stringify(dir)}); process.stdout.write('held\\n'); }
       catch (err) { process.stdout.write(err.name === 'LockError' ? 'refused\\n' : 'error ' + err.message + '\\n'); }
       process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  const result = new Promise<string>((resolve) => {
    child.stdout.on('data', (chunk) => {
      out += String(chunk);
      if (out.endsWith('\n')) resolve(out.trim());
    });
    child.on('exit', () => resolve(out.trim() || 'exited'));
  });
  return { result, done: () => child.stdin.end() };
}

describe('atomic lock take-over and temporary files', () => {
  it('six processes racing for a stale embedded-database lock: exactly one holds it, five are refused', async () => {
    for (let round = 0; round < 2; round++) {
      const dir = tempDir();
      writeFileSync(
        path.join(dir, '.argosctl.lock'),
        JSON.stringify({ pid: DEAD_PID, host: hostname(), since: 'then' }),
      );
      const contenders = Array.from({ length: 6 }, () => contender(dir));
      const results = await Promise.all(contenders.map((c) => c.result));
      for (const c of contenders) c.done();
      expect(
        results.filter((r) => r === 'held'),
        results.join(','),
      ).toHaveLength(1);
      expect(
        results.filter((r) => r === 'refused'),
        results.join(','),
      ).toHaveLength(5);
      const holder = JSON.parse(readFileSync(path.join(dir, '.argosctl.lock'), 'utf8'));
      expect(holder.pid).not.toBe(DEAD_PID);
    }
  });

  it('a link planted at the temporary path is not written through: the write fails, its target is untouched', () => {
    const dir = tempDir();
    const victim = path.join(dir, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    const planted = path.join(dir, '.out.json.tmp');
    symlinkSync(victim, planted);
    temporaryPaths.next = () => planted;
    expect(() => writeFileAtomic(path.join(dir, 'out.json'), 'attacker-controlled?')).toThrow(/EEXIST/);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readlinkSync(planted)).toBe(victim); // the planted link itself is not removed or replaced
    expect(() => lstatSync(path.join(dir, 'out.json'))).toThrow();
  });

  it('plan --out beside a link planted at the old temporary name (plan.json.<pid>.tmp): the plan is written, the target untouched', async () => {
    const cwd = tempDir();
    const victim = path.join(cwd, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, path.join(cwd, `plan.json.${process.pid}.tmp`));
    await writePlanFile(path.join(cwd, 'plan.json'), { formatVersion: 1 } as unknown as SavedPlan);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(JSON.parse(readFileSync(path.join(cwd, 'plan.json'), 'utf8'))).toEqual({ formatVersion: 1, kind: 'plan' });
    expect((lstatSync(path.join(cwd, 'plan.json')).mode & 0o777).toString(8)).toBe('600');
  });

  it('keys reveal --out never writes through a planted link (O_EXCL|O_NOFOLLOW)', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'x'));
    const victim = path.join(cwd, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, path.join(cwd, 'key.txt'));
    const r = await runCliInProcess(['keys', 'reveal', 'p1', 'api-key', '--out', 'key.txt'], { cwd });
    expect(r.code).not.toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});
