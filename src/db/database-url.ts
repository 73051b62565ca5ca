// Every database URL is parsed here, once. The result carries a `display` form that is safe to
// print (no user, password or secret query values); nothing else of the raw URL is ever shown.
import path from 'node:path';
import { UserError } from '../errors.js';

/** The embedded database when none is configured (relative to argosctl.yaml or the git root). */
export const DEFAULT_DATABASE_URL = 'pglite:.argos/db';

export type DatabaseUrl =
  | { kind: 'postgres'; url: string; display: string; secrets: readonly string[] }
  /** `base`: the folder a relative path was anchored in (the project's, for the default `.argos/db`). */
  | { kind: 'pglite'; url: string; display: string; path: string; base?: string }
  /** `memory:NAME`: one in-memory database shared by every open of that name in this process. */
  | { kind: 'memory'; url: string; display: string; name?: string };

export const UNPARSEABLE = '<unparseable database URL>';
export const SUPPORTED_URLS = 'postgres://HOST/DB, postgresql://HOST/DB, pglite:PATH or memory:';

/** Query parameters whose values are shown; any other parameter is left out of the display form. */
const SHOWN_PARAMS = new Set([
  'host',
  'port',
  'sslmode',
  'application_name',
  'connect_timeout',
  'target_session_attrs',
  'uselibpqcompat',
]);
/** Query parameters that carry a credential (a password, or a key that stands for one). */
const SECRET_PARAMS = ['password', 'sslpassword', 'sslkey', 'sslcert'];

function refuse(reason: string): never {
  throw new UserError(
    `${UNPARSEABLE}: ${reason} (the URL is not shown: it may hold a password)`,
    `use ${SUPPORTED_URLS}`,
  );
}

const PORT_ALLOWED = 'a port is a whole number from 1 to 65535';

/** The port written after the host (`HOST:PORT`), found without parsing: the URL parser refuses one out of range without saying so. */
function authorityPort(raw: string): string | undefined {
  const authority = /^postgres(?:ql)?:\/\/([^/?#]*)/.exec(raw)?.[1] ?? '';
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return /^(?:\[[^\]]*\]|[^:]*):(\d+)$/.exec(host)?.[1];
}

function checkPort(port: string, where: string): void {
  const n = Number(port);
  if (/^\d{1,5}$/.test(port) && n >= 1 && n <= 65535) return;
  const shown = port.length > 12 ? `${port.slice(0, 12)}…` : port;
  if (port === '') refuse(`the ${where} is empty: ${PORT_ALLOWED}`);
  refuse(`the ${where} ${shown} is ${/^\d+$/.test(port) ? 'out of range' : 'not a number'}: ${PORT_ALLOWED}`);
}

function parsePostgres(raw: string): DatabaseUrl {
  const written = authorityPort(raw);
  if (written !== undefined) checkPort(written, 'port');
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return refuse('not a valid URL; characters such as @ : / # ? in a user name or password must be percent-encoded');
  }
  if (!u.hostname && !u.searchParams.get('host')) refuse('no host name');
  // The driver reads ?port= as it is; out of range, the socket throws where no one catches it.
  for (const port of u.searchParams.getAll('port')) checkPort(port, 'port parameter');
  const secrets = [u.password, u.username].map(safeDecode);
  for (const name of SECRET_PARAMS) for (const v of u.searchParams.getAll(name)) secrets.push(v);
  const shown = new URLSearchParams();
  for (const [k, v] of u.searchParams) if (SHOWN_PARAMS.has(k)) shown.append(k, v);
  const query = shown.size ? `?${shown.toString()}` : '';
  const display = `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}${query}`;
  return { kind: 'postgres', url: raw, display, secrets: secrets.filter((s) => s.length > 0) };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Parses a database URL. `baseDir` anchors a relative `pglite:PATH`. Anything that is not one of
 * the supported shapes is refused without showing it: a mistyped URL is as likely to hold a
 * password as a correct one.
 */
export function parseDatabaseUrl(raw: string, baseDir: string): DatabaseUrl {
  // A folder's name may hold spaces ("My Projects"); a server URL never does, where a space or a
  // line break is a secret pasted with a stray one.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw) || (!raw.startsWith('pglite:') && /\s/.test(raw))) {
    refuse('it contains spaces, line breaks or control characters (check the secret for a stray space or newline)');
  }
  if (raw === 'memory:') return { kind: 'memory', url: raw, display: 'in-memory PGlite (memory:)' };
  const named = /^memory:([a-z0-9][a-z0-9-]{0,39})$/.exec(raw);
  if (named) return { kind: 'memory', url: raw, display: `in-memory PGlite (${raw})`, name: named[1] };
  if (raw.startsWith('pglite:')) {
    const given = raw.slice('pglite:'.length) || '.argos/db';
    const folder = path.resolve(baseDir, given);
    const base = path.isAbsolute(given) ? {} : { base: path.resolve(baseDir) };
    return { kind: 'pglite', url: `pglite:${folder}`, display: `embedded PGlite at ${folder}`, path: folder, ...base };
  }
  if (/^postgres(ql)?:\/\//.test(raw)) return parsePostgres(raw);
  return refuse(raw === '' ? 'it is empty' : 'not a supported kind of database URL');
}

/** Does the URL carry a credential (a password in the user info or the query)? */
export function hasCredentials(url: DatabaseUrl): boolean {
  if (url.kind !== 'postgres') return false;
  const u = new URL(url.url);
  return u.password !== '' || u.searchParams.has('password') || u.searchParams.has('sslpassword');
}

/**
 * Removes every credential of the URL from a message (a driver error can quote them). Short
 * values are left alone: masking a two-letter password would mangle every word holding it.
 */
export function scrubSecrets(text: string, url: DatabaseUrl): string {
  if (url.kind !== 'postgres') return text;
  let out = text.split(url.url).join(url.display);
  for (const secret of url.secrets) if (secret.length >= 4) out = out.split(secret).join('***');
  return out;
}
