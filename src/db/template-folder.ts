// A new embedded folder is written from the template (pglite-template.ts) by Node itself: gunzip in
// zlib, the tar's files with one write each. Handed the template instead, PGlite unpacks it in
// JavaScript and writes every file through its WebAssembly file system: about 0.5 s more to a started
// database, side by side (BENCHMARKS.md, fourth run of 2026-12-07). The folder then opens as one
// PGlite made. It writes only into an empty folder, each file created anew (`wx`: never through an
// existing file or link). PG_VERSION, which marks a folder as holding a database, comes last: a
// first start cut short leaves a folder without it, which the next start hands to PGlite.
import { lstatSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

const BLOCK = 512;

/** A NUL-terminated field of a tar header. */
function field(header: Buffer, at: number, length: number): string {
  const raw = header.subarray(at, at + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('utf8');
}

function octal(header: Buffer, at: number, length: number): number {
  const text = field(header, at, length).trim();
  const value = Number.parseInt(text || '0', 8);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`template: bad number "${text}" in a tar header`);
  return value;
}

/** The entry's path inside the folder: the dump's paths start with "/"; none may climb out. */
function inside(name: string): string {
  const relative = name.replace(/^\/+/, '').replace(/\/+$/, '');
  if (relative === '' || relative.split('/').some((part) => part === '..' || part === '.' || part === ''))
    throw new Error(`template: unexpected path "${name}"`);
  return relative;
}

/**
 * Writes the data directory held in `tarGz` into `dir`, which must exist and be empty but for the
 * names in `ignored` (a link inside would take writes elsewhere). Throws on a folder that is not, and
 * on anything but plain files and folders in the archive (the caller then lets PGlite unpack it).
 */
export function writeTemplateFolder(tarGz: Buffer, dir: string, ignored: readonly string[] = []): void {
  if (!lstatSync(dir).isDirectory()) throw new Error(`template: ${dir} is not a folder of its own (a link?)`);
  const present = readdirSync(dir).filter((name) => !ignored.includes(name));
  if (present.length > 0) throw new Error(`template: ${dir} is not empty (${present.slice(0, 3).join(', ')})`);
  const tar = gunzipSync(tarGz);
  let pgVersion: Buffer | undefined;
  const made = new Set<string>([dir]);
  // One level at a time, never through a link: a name that exists must be a folder of its own.
  const folder = (at: string): void => {
    if (made.has(at)) return;
    folder(path.dirname(at));
    try {
      mkdirSync(at, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !lstatSync(at).isDirectory()) throw err;
    }
    made.add(at);
  };
  for (let at = 0; at + BLOCK <= tar.length; ) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((byte) => byte === 0)) break; // the end-of-archive blocks
    const prefix = field(header, 345, 155);
    const name = field(header, 0, 100);
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156]);
    const data = tar.subarray(at + BLOCK, at + BLOCK + size);
    if (data.length !== size) throw new Error('template: the archive ends inside a file');
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    const relative = inside(prefix ? `${prefix}/${name}` : name);
    if (type === '5') folder(path.join(dir, relative));
    else if (type === '0' || type === '\0') {
      // The running server's pid file (PGlite's placeholder) belongs to no process here.
      if (relative === 'postmaster.pid') continue;
      if (relative === 'PG_VERSION') pgVersion = Buffer.from(data);
      else {
        folder(path.dirname(path.join(dir, relative)));
        // `wx`: created here, never written through an existing file or link.
        writeFileSync(path.join(dir, relative), data, { mode: 0o600, flag: 'wx' });
      }
    } else throw new Error(`template: entry type "${type}" of ${relative} is not a file or folder`);
  }
  if (!pgVersion) throw new Error('template: no PG_VERSION');
  // Renamed into place whole: a start cut short leaves no PG_VERSION, never an empty one.
  const pending = path.join(dir, 'PG_VERSION.writing');
  writeFileSync(pending, pgVersion, { mode: 0o600, flag: 'wx' });
  renameSync(pending, path.join(dir, 'PG_VERSION'));
}
