// Finding the repository's argosctl.yaml: walk up from the current folder to the git root (the
// folder holding .git). Only the two settings that say where things are, `manifests:` and
// `database:`, are read here; the rest of the file is validated with the manifests.
import { closeSync, existsSync, lstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, isScalar, type Node } from 'yaml';
import { UserError } from '../errors.js';
import { hasCredentials, parseDatabaseUrl } from '../db/database-url.js';

export const CONFIG_FILE = 'argosctl.yaml';
const MAX_CONFIG_BYTES = 1024 * 1024;
const DEFAULT_MANIFESTS = 'projects';

export interface ConfigSetting {
  value: string;
  /** `file:line:column` of the value, for messages. */
  at: string;
}

export interface FoundConfig {
  /** Absolute path of argosctl.yaml, and its folder. */
  file: string;
  dir: string;
  manifests?: ConfigSetting;
  database?: ConfigSetting;
  /** Not valid YAML: validation reports it; its settings count as absent here. */
  unreadable: boolean;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The nearest folder at or above `start` that holds `.git` (a folder, or a worktree's file). */
export function findGitRoot(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Outside a repository: from `from` up to the current folder when `from` lies inside it (`--dir
 * projects` run beside argosctl.yaml), else `from` alone; never above the folder the user is in.
 */
function foldersUpTo(from: string, cwd: string): string[] {
  const relative = path.relative(cwd, from);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return [from];
  const dirs: string[] = [];
  for (let dir = from; ; dir = path.dirname(dir)) {
    dirs.push(dir);
    if (dir === cwd || path.dirname(dir) === dir) return dirs;
  }
}

/** The folders searched for argosctl.yaml, nearest first: up to the git root, or only `start` outside git. */
function searchPath(start: string): string[] {
  const from = path.resolve(start);
  const gitRoot = findGitRoot(from);
  if (!gitRoot) return [from];
  const dirs: string[] = [];
  for (let dir = from; ; dir = path.dirname(dir)) {
    dirs.push(dir);
    if (dir === gitRoot || path.dirname(dir) === dir) return dirs;
  }
}

/** Reads argosctl.yaml with the same limits as a manifest: a regular file inside `boundary`, at most 1 MiB. */
function readBounded(file: string, boundary: string): string {
  const shown = path.relative(process.cwd(), file) || file;
  const real = realpathSync(file);
  if (lstatSync(file).isSymbolicLink() && !isInside(real, realpathSync(boundary))) {
    throw new UserError(
      `${shown} is a link to a file outside ${boundary}; it is not read`,
      'make argosctl.yaml a regular file in the repository',
    );
  }
  const stat = statSync(real);
  if (!stat.isFile())
    throw new UserError(`${shown} is not a regular file; it is not read`, 'make argosctl.yaml a regular file');
  if (stat.size > MAX_CONFIG_BYTES)
    throw new UserError(`${shown} is ${stat.size} bytes`, `at most ${MAX_CONFIG_BYTES} bytes`);
  const buffer = Buffer.alloc(Math.min(stat.size, MAX_CONFIG_BYTES));
  const fd = openSync(real, 'r');
  try {
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function setting(
  node: Node | null | undefined,
  key: string,
  at: (offset: number) => string,
): ConfigSetting | undefined {
  if (node === undefined || node === null) return undefined;
  const where = at(node.range?.[0] ?? 0);
  if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') {
    throw new UserError(
      `${where}: ${key} must be a non-empty string`,
      key === 'manifests'
        ? 'a folder relative to argosctl.yaml, e.g. projects'
        : 'a URL without credentials, or env:NAME',
    );
  }
  return { value: node.value, at: where };
}

function checkManifests(s: ConfigSetting, dir: string): void {
  const root = path.resolve(dir, s.value);
  if (path.isAbsolute(s.value) || !isInside(root, dir) || root.split(path.sep).includes('.git')) {
    throw new UserError(
      `${s.at}: manifests must name a folder inside ${dir}`,
      'a relative path without ".." or .git, e.g. projects',
    );
  }
}

/** A manifest root that is a link (or lies below one) must still end inside the config's folder. */
function checkRealRoot(root: string, config: FoundConfig): string {
  if (existsSync(root) && !isInside(realpathSync(root), realpathSync(config.dir))) {
    const shown = path.relative(process.cwd(), root) || root;
    throw new UserError(
      `the manifest folder ${shown} leads outside ${config.dir} through a link; it is not read`,
      'make the manifest folder a real folder inside the repository',
    );
  }
  return root;
}

function checkDatabase(s: ConfigSetting, dir: string): void {
  if (s.value.startsWith('env:')) {
    if (!/^env:[A-Za-z_][A-Za-z0-9_]*$/.test(s.value)) {
      throw new UserError(`${s.at}: database: env: needs a variable name`, 'env:NAME, e.g. env:ARGOS_DATABASE_URL');
    }
    return;
  }
  let url: ReturnType<typeof parseDatabaseUrl>;
  try {
    url = parseDatabaseUrl(s.value, dir);
  } catch (err) {
    throw new UserError(`${s.at}: database: ${(err as Error).message}`, (err as UserError).hint);
  }
  if (hasCredentials(url)) {
    throw new UserError(
      `${s.at}: database holds a password; argosctl.yaml is in git, so it must never hold one (the value is not shown)`,
      'remove the password from the file (and rotate it); keep the URL in a secret and write database: env:ARGOS_DATABASE_URL',
    );
  }
}

function readConfig(file: string, boundary: string): FoundConfig {
  const dir = path.dirname(file);
  const text = readBounded(file, boundary);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return { file, dir, unreadable: true };
  const shown = path.relative(process.cwd(), file) || file;
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return `${shown}:${p.line}:${p.col}`;
  };
  const manifests = setting(doc.contents.get('manifests', true) as Node | undefined, 'manifests', at);
  const database = setting(doc.contents.get('database', true) as Node | undefined, 'database', at);
  if (manifests) checkManifests(manifests, dir);
  if (database) checkDatabase(database, dir);
  return { file, dir, manifests, database, unreadable: false };
}

/** The nearest argosctl.yaml from `start` up to the git root (only `start` itself outside a repository). */
export function findConfig(start: string): FoundConfig | undefined {
  const dirs = searchPath(start);
  const boundary = dirs[dirs.length - 1];
  for (const dir of dirs) {
    const file = path.join(dir, CONFIG_FILE);
    if (existsSync(file)) return readConfig(file, boundary);
  }
  return undefined;
}

/**
 * The manifest root a config names: its `manifests:` folder; else `projects/` next to it when that
 * folder exists; else the config's own folder (argosctl.yaml at the manifest root, the first layout).
 */
export function manifestRootOf(config: FoundConfig): string {
  if (config.manifests) return checkRealRoot(path.resolve(config.dir, config.manifests.value), config);
  const projects = path.join(config.dir, DEFAULT_MANIFESTS);
  return existsSync(projects) && statSync(projects).isDirectory() ? checkRealRoot(projects, config) : config.dir;
}

/** Where the manifests, and the embedded database, are when nothing names them. */
export function defaultBase(cwd: string, config: FoundConfig | undefined): string {
  return config?.dir ?? findGitRoot(cwd) ?? path.resolve(cwd);
}

export function defaultManifestRoot(cwd: string, config: FoundConfig | undefined): string {
  return config ? manifestRootOf(config) : path.join(defaultBase(cwd, undefined), DEFAULT_MANIFESTS);
}

/**
 * The argosctl.yaml that names `root` as its manifest folder, from the folders above it (up to the
 * git root; outside a repository, up to the current folder). None when argosctl.yaml sits at the root
 * itself: the manifest reader finds that one.
 */
export function configAbove(root: string, cwd = process.cwd()): string | undefined {
  const abs = path.resolve(root);
  if (existsSync(path.join(abs, CONFIG_FILE))) return undefined;
  const dirs = (findGitRoot(abs) ? searchPath(abs) : foldersUpTo(abs, path.resolve(cwd))).slice(1);
  const boundary = dirs[dirs.length - 1];
  for (const dir of dirs) {
    const file = path.join(dir, CONFIG_FILE);
    if (!existsSync(file)) continue;
    try {
      const config = readConfig(file, boundary);
      if (manifestRootOf(config) === abs) return file;
    } catch {
      // a broken config elsewhere is reported by the command that uses it, not here
    }
  }
  return undefined;
}
