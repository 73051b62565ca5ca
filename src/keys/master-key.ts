// The master key that seals secret material (API keys now, more with issue 11) while it waits in
// the database for its one reveal. Where it comes from, first match wins:
//   ARGOS_MASTER_KEY (base64 of 32 bytes) · ARGOS_MASTER_KEY_FILE (a file holding that base64) ·
//   for an embedded database pglite:DIR, a generated key file DIR.master-key (mode 0600) beside it ·
//   for memory:, a key that lives as long as the process.
import { randomBytes } from 'node:crypto';
import { fchmodSync, lstatSync, statSync, writeFileSync } from 'node:fs';
import { readOwnSmallFile, readUserFile } from '../util/safe-read.js';

/** base64 of 32 bytes and a newline; anything much larger is not a key file. */
const MAX_KEY_FILE_BYTES = 4096;
import path from 'node:path';
import { UserError } from '../errors.js';

export const MASTER_KEY_BYTES = 32;
let processKey: Buffer | undefined;

function decode(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== MASTER_KEY_BYTES || !/^[A-Za-z0-9+/_-]+=*$/.test(text.trim())) {
    throw new UserError(
      `${where} is not a master key`,
      'it must hold base64 of exactly 32 random bytes (openssl rand -base64 32)',
    );
  }
  return key;
}

/** The key file beside an embedded database folder: `.argos/db` → `.argos/db.master-key`. */
export function embeddedKeyFile(dataDir: string): string {
  const dir = path.resolve(dataDir);
  return path.join(path.dirname(dir), `${path.basename(dir)}.master-key`);
}

/**
 * The generated key file beside an embedded database: made when missing, else read as a regular file
 * of this user's, never through a link. It lies in the project folder, where a pull request can
 * commit a link at its name: a chmod by path would then close whatever the link points at (a home
 * folder), and the key would be read from there.
 */
function readOrCreateKeyFile(file: string): Buffer {
  try {
    writeFileSync(file, randomBytes(MASTER_KEY_BYTES).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new UserError(`cannot create the master key file ${file}: ${(err as Error).message}`);
  }
  const read = readOwnSmallFile(file, MAX_KEY_FILE_BYTES, (fd, stats) => {
    if (process.getuid && stats.uid !== process.getuid()) return 'belongs to another user';
    if (stats.mode & 0o077) fchmodSync(fd, 0o600);
    return undefined;
  });
  if (!read.ok)
    throw new UserError(
      `the master key file ${file} ${read.problem}; argosctl generates it as a regular file of yours and reads no other`,
      'if it was not made by argosctl (a checkout may carry one), delete it; secrets sealed with it are lost with it',
    );
  return decode(read.bytes.toString('utf8'), `the master key file ${file}`);
}

function readKeyFile(file: string): Buffer {
  let text: string;
  try {
    if (statSync(file).mode & 0o077)
      throw new UserError(`the master key file ${file} is readable by others`, `chmod 600 ${file}`);
    text = readUserFile(file, MAX_KEY_FILE_BYTES, 'the master key file').toString('utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(
      `cannot read the master key file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return decode(text, `the master key file ${file}`);
}

/** A master key from a file the user names (`keys rewrap --new-key-file`): base64 of 32 bytes, not readable by others. */
export function masterKeyFromFile(file: string): Buffer {
  return readKeyFile(file);
}

export function masterKeyFromText(text: string, where: string): Buffer {
  return decode(text, where);
}

/** Where resolveMasterKey takes the key from: the generated file beside an embedded database is the one argosctl may replace. */
export interface MasterKeySource {
  kind: 'env' | 'file' | 'embedded' | 'process';
  file?: string;
}

export function masterKeySource(
  databaseUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): MasterKeySource {
  if (env.ARGOS_MASTER_KEY) return { kind: 'env' };
  if (env.ARGOS_MASTER_KEY_FILE) return { kind: 'file', file: env.ARGOS_MASTER_KEY_FILE };
  if (databaseUrl?.startsWith('pglite:'))
    return { kind: 'embedded', file: embeddedKeyFile(databaseUrl.slice('pglite:'.length) || './.argos/db') };
  return { kind: databaseUrl?.startsWith('memory:') ? 'process' : 'env' };
}

/**
 * The master key for the database at `databaseUrl` (undefined: only the environment counts).
 * `generate`: the embedded database's key file is made when missing. Only what seals asks for that
 * (apply, the first service key, sealing clear keys, a lost key replaced): a command that only opens
 * sealed values gains nothing from a new key, and a key file made there would be a second key.
 */
export function resolveMasterKey(
  databaseUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  { generate = false }: { generate?: boolean } = {},
): Buffer {
  if (env.ARGOS_MASTER_KEY) return decode(env.ARGOS_MASTER_KEY, 'ARGOS_MASTER_KEY');
  if (env.ARGOS_MASTER_KEY_FILE) return readKeyFile(env.ARGOS_MASTER_KEY_FILE);
  if (databaseUrl?.startsWith('memory:')) return (processKey ??= randomBytes(MASTER_KEY_BYTES));
  if (databaseUrl?.startsWith('pglite:')) {
    const file = embeddedKeyFile(databaseUrl.slice('pglite:'.length) || './.argos/db');
    if (!generate && !lstatSync(file, { throwIfNoEntry: false }))
      throw new UserError(
        `the master key file ${file} is missing`,
        'argosctl makes it when it first seals a secret (an apply issuing a key); if this database holds ' +
          'secrets sealed with it, restore it from your copy (if it is lost: argosctl keys rewrap --old-key-lost)',
      );
    return readOrCreateKeyFile(file);
  }
  throw new UserError(
    'secret material needs a master key, and none is configured',
    'set ARGOS_MASTER_KEY (base64 of 32 bytes) or ARGOS_MASTER_KEY_FILE; keep it outside the database',
  );
}
