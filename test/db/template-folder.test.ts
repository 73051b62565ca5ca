// A new embedded folder written from the template by Node (src/db/template-folder.ts): what it
// writes, what it refuses, and that PGlite opens the result as a database of its own.
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../src/db/connection.js';
import { usableTemplate } from '../../src/db/pglite-template.js';
import { writeTemplateFolder } from '../../src/db/template-folder.js';
import { tempDir } from '../helpers/cli.js';

interface Entry {
  name: string;
  type?: '0' | '5' | '2';
  data?: string;
}

/** A ustar archive, gzipped, as PGlite's dumpDataDir writes them (paths from "/"). */
function tarGz(entries: Entry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const header = Buffer.alloc(512);
    const data = Buffer.from(e.data ?? '');
    header.write(e.name, 0, 100);
    header.write('0000600\0', 100);
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write(e.type ?? '0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

describe('writing a new embedded folder from the template', () => {
  it('writes folders and files under the folder, and skips the pid file', () => {
    const dir = tempDir();
    writeTemplateFolder(
      tarGz([
        { name: '/PG_VERSION', data: '17\n' },
        { name: '/base', type: '5' },
        { name: '/base/1/112', data: 'relation' },
        { name: '/postmaster.pid', data: '-42\n' },
      ]),
      dir,
    );
    expect(readFileSync(path.join(dir, 'PG_VERSION'), 'utf8')).toBe('17\n');
    expect(readFileSync(path.join(dir, 'base/1/112'), 'utf8')).toBe('relation');
    expect(existsSync(path.join(dir, 'postmaster.pid'))).toBe(false);
  });

  it('refuses an entry that climbs out, a link, an archive cut short or one without PG_VERSION, and then writes no PG_VERSION', () => {
    const outside = (name: string) =>
      tarGz([
        { name, data: 'x' },
        { name: '/PG_VERSION', data: '17' },
      ]);
    for (const [archive, problem] of [
      [outside('/../escaped'), /unexpected path/],
      [outside('/base/../../escaped'), /unexpected path/],
      [
        tarGz([
          { name: '/base/link', type: '2' },
          { name: '/PG_VERSION', data: '17' },
        ]),
        /not a file or folder/,
      ],
      [tarGz([{ name: '/base/1/112', data: 'x' }]), /no PG_VERSION/],
      [gzipSync(Buffer.alloc(0)), /no PG_VERSION/],
    ] as const) {
      const dir = tempDir();
      expect(() => writeTemplateFolder(archive, dir)).toThrow(problem);
      expect(existsSync(path.join(dir, 'PG_VERSION'))).toBe(false);
      expect(existsSync(path.join(dir, '..', 'escaped'))).toBe(false);
    }
    const cut = tempDir();
    const whole = tarGz([{ name: '/PG_VERSION', data: '1'.repeat(2000) }]);
    expect(() => writeTemplateFolder(gzipSync(gunzipSync(whole).subarray(0, 1024)), cut)).toThrow(/ends inside a file/);
  });

  it('writes nothing into a folder that is not empty: a link planted there would take the writes elsewhere', () => {
    const dir = tempDir();
    const outside = tempDir();
    symlinkSync(outside, path.join(dir, 'base'));
    const archive = tarGz([
      { name: '/base/1/112', data: 'x' },
      { name: '/PG_VERSION', data: '17' },
    ]);
    expect(() => writeTemplateFolder(archive, dir)).toThrow(/is not empty \(base\)/);
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(path.join(dir, 'PG_VERSION'))).toBe(false);
    // The lock file argosctl holds while it writes is no reason to refuse.
    const locked = tempDir();
    writeFileSync(path.join(locked, '.argosctl.lock'), '{}');
    writeTemplateFolder(archive, locked, ['.argosctl.lock']);
    expect(readFileSync(path.join(locked, 'base/1/112'), 'utf8')).toBe('x');
  });

  it('writes nothing through a folder that is itself a link', () => {
    const real = tempDir();
    const link = path.join(tempDir(), 'db');
    symlinkSync(real, link);
    expect(() => writeTemplateFolder(tarGz([{ name: '/PG_VERSION', data: '17' }]), link)).toThrow(
      /not a folder of its own/,
    );
    expect(readdirSync(real)).toEqual([]);
  });

  it('a hostile pull request committing .argos/db with links into the home folder: the open fails in one clear line, nothing outside is written', async () => {
    // A checkout may hold .argos/db (git add -f): links to a file and to a folder of the victim's.
    const dir = path.join(tempDir(), 'db');
    const victim = tempDir();
    writeFileSync(path.join(victim, 'bashrc'), 'export PS1=ok\n');
    mkdirSync(path.join(victim, 'dir'));
    mkdirSync(path.join(dir, 'global'), { recursive: true });
    symlinkSync(path.join(victim, 'bashrc'), path.join(dir, 'global', 'pg_control'));
    symlinkSync(path.join(victim, 'dir'), path.join(dir, 'pg_wal'));
    const opened = openDatabase(`pglite:${dir}`, { onNote: () => {} });
    await expect(opened).rejects.toThrow(/cannot open the embedded PGlite at .*db: /);
    await expect(opened).rejects.not.toThrow(/undefined/);
    expect(readFileSync(path.join(victim, 'bashrc'), 'utf8')).toBe('export PS1=ok\n');
    expect(readdirSync(path.join(victim, 'dir'))).toEqual([]);
  });

  it('a new folder written from the real template (npm run build makes it) opens, migrated, and reopens after a close', async () => {
    expect(usableTemplate()).toBeDefined();
    const url = `pglite:${path.join(tempDir(), 'db')}`;
    const first = await openDatabase(url, { onNote: () => {} });
    try {
      expect(await migrateToLatest(first.db)).toEqual([]); // the template holds every migration
      await sql`insert into projects (id, name, labels, status, submissions, private_mode, token_pre_registration,
          token_expiration_mode, encrypted_only, privacy_protection, secure_transmission)
          values ('kept', 'kept', '{}'::jsonb, 'TEST', 'normal', false, true, 'none', false, false, false)`.execute(
        first.db,
      );
    } finally {
      await first.close();
    }
    expect(readdirSync(url.slice('pglite:'.length))).toContain('PG_VERSION');
    const again = await openDatabase(url);
    try {
      const { rows } = await sql<{ id: string }>`select id from projects`.execute(again.db);
      expect(rows).toEqual([{ id: 'kept' }]);
    } finally {
      await again.close();
    }
  });
});
