// Which database a command uses: --database-url, else ARGOS_DATABASE_URL, else `database:` in the
// found argosctl.yaml, else the embedded default next to that file (or at the git root, or here).
// In CI (`CI` set) argosctl.yaml comes from the change under test: there `database:` may only name
// an environment variable, and a variable that is empty (a secret a fork's job does not get) stops
// the command rather than letting the file pick another database.
import path from 'node:path';
import { UserError } from '../errors.js';
import { DEFAULT_DATABASE_URL, parseDatabaseUrl, type DatabaseUrl } from '../db/database-url.js';
import { defaultBase, type FoundConfig } from './find-config.js';

export type DatabaseSource = 'flag' | 'env' | 'config' | 'default';

export interface DatabaseChoice {
  url: DatabaseUrl;
  source: DatabaseSource;
  /** Where the choice came from, for the "which database" line. */
  from: string;
}

export interface ChooseInput {
  /** --database-url as given on the command line (undefined when not given). */
  flag?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  config?: FoundConfig;
}

function parse(raw: string, base: string, from: string): DatabaseUrl {
  try {
    return parseDatabaseUrl(raw, base);
  } catch (err) {
    throw new UserError(`the database URL from ${from} is refused: ${(err as Error).message}`, (err as UserError).hint);
  }
}

export function chooseDatabase({ flag, env, cwd, config }: ChooseInput): DatabaseChoice {
  if (flag !== undefined) {
    // An empty value is a missing secret in `--database-url "$SECRET"`, never "use the default".
    if (flag === '') throw new UserError('--database-url is empty', 'pass a database URL, or leave the option out');
    return { url: parse(flag, cwd, '--database-url'), source: 'flag', from: '--database-url' };
  }
  // A secret that is not set expands to an empty string in CI: the same as not set.
  const fromEnv = env.ARGOS_DATABASE_URL;
  if (fromEnv) return { url: parse(fromEnv, cwd, 'ARGOS_DATABASE_URL'), source: 'env', from: 'ARGOS_DATABASE_URL' };
  if (config?.unreadable) {
    const shown = path.relative(cwd, config.file) || config.file;
    throw new UserError(
      `${shown} is not valid YAML, so the database it may name is unknown`,
      'run argosctl validate to see the problem, or pass --database-url',
    );
  }
  const named = config?.database;
  if (env.CI && named && !named.value.startsWith('env:')) {
    throw new UserError(
      `${named.at}: database: names a database directly; with CI set it may only be env:NAME (the value is not shown)`,
      'write database: env:ARGOS_DATABASE_URL and set that variable from a secret',
    );
  }
  if (env.CI && fromEnv === '' && named) {
    throw new UserError(
      'CI is set and ARGOS_DATABASE_URL is empty (a secret this job does not get?); the database named in argosctl.yaml is not used instead',
      'make the secret available to this job, or leave ARGOS_DATABASE_URL out of its environment',
    );
  }
  if (config && named) {
    const shown = named.at.replace(/:\d+:\d+$/, '');
    if (named.value.startsWith('env:')) {
      const name = named.value.slice('env:'.length);
      const value = env[name];
      if (!value) {
        throw new UserError(
          `${named.at}: database: env:${name}, and the environment variable ${name} is not set`,
          `set ${name} (e.g. from a CI secret), or pass --database-url`,
        );
      }
      return {
        url: parse(value, cwd, `${name} (named in ${shown})`),
        source: 'config',
        from: `${name}, named in ${shown}`,
      };
    }
    return { url: parse(named.value, config.dir, shown), source: 'config', from: `database: in ${shown}` };
  }
  const url = parseDatabaseUrl(DEFAULT_DATABASE_URL, defaultBase(cwd, config));
  return { url, source: 'default', from: 'the default; nothing configured' };
}
