// One truth, two faces: every token and admission operation (register, import, list, get, count,
// delete, start, check, complete) run through the CLI (in process) and through the service (real
// HTTP) against the same database, on both databases. Each row states the outcome (ok, or the
// refusal code); both faces must give it, with the same answer. Rows that write use an input per
// face (their own token IDs), so the second face meets the same state the first one did.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Database } from '../../src/db/connection.js';
import { registerTokens } from '../../src/tokens/token-store.js';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { DATABASE_TARGETS } from '../helpers/databases.js';
import { applyManifests, call, manifest, reveal, startService, type Service } from '../helpers/service.js';
import { ids } from '../helpers/token-fixtures.js';

type Face = 'cli' | 'http';
interface Outcome {
  /** 'ok', or the error / refusal code. */
  code: string;
  /** What both faces answer alike (a projection of the answer; absent for refusals). */
  answer?: unknown;
}

const keyed = '  security:\n    apiKey: { rotation: 1 }\n';
const pre = (extra = '') => `  liveform:\n    tokens:\n      preRegistration: true\n${extra}`;
const PROJECTS = {
  'c-open': manifest('c-open', pre('      expiration: { mode: count }\n') + keyed),
  'c-closed': manifest('c-closed', pre() + keyed, 'CLOSE'),
  'c-stopped': manifest('c-stopped', `  submissions: emergency-stop\n${pre()}${keyed}`),
  'c-noprereg': manifest('c-noprereg', `  liveform: { privateMode: false }\n${keyed}`),
  'c-privurl': manifest('c-privurl', `  liveform: { privateMode: true }\n${keyed}`),
  'c-full': manifest('c-full', pre() + keyed),
  'c-private': manifest(
    'c-private',
    `  liveform:\n    privateMode: true\n    tokens:\n      preRegistration: true\n${keyed}`,
  ),
  'c-sealedurl': manifest(
    'c-sealedurl',
    pre() + keyed + '  encryption:\n    encryptedOnly: true\n    keys:\n      - { name: k1, status: active }\n',
  ),
};
type Pid = keyof typeof PROJECTS | 'c-missing';

/** A token ID of one face: the rows that write never share one between the faces. */
const tok = (face: Face, name: string) => `${face}-${name}-0001`;

interface Row {
  name: string;
  expect: string;
  cli(face: Face): string[];
  http(face: Face): { method: string; url: string; pid?: Pid; body?: unknown };
  /** The part of a successful answer both faces must agree on. */
  answer?(doc: Record<string, unknown>): unknown;
}

const tokensUrl = (pid: string) => `/v1/projects/${pid}/tokens`;
const register = (name: string, pid: Pid, list: (f: Face) => string[], expected: string): Row => ({
  name,
  expect: expected,
  cli: (f) => ['tokens', 'register', pid, ...list(f), '--format', 'json'],
  http: (f) => ({ method: 'POST', url: tokensUrl(pid), pid, body: { tokenIds: list(f) } }),
  answer: (d) => ({ added: d.added, overwritten: d.overwritten }),
});
const importRow = (name: string, pid: Pid, content: (f: Face) => string, expected: string): Row => ({
  name,
  expect: expected,
  cli: (f) => [
    'tokens',
    'import',
    pid,
    `@file:ids-${f}-${name.replace(/\W+/g, '-')}.csv:${content(f)}`,
    '--format',
    'json',
  ],
  http: (f) => ({
    method: 'POST',
    url: `${tokensUrl(pid)}/import`,
    pid,
    body: { file: `ids-${f}.csv`, content: content(f) },
  }),
  answer: (d) => ({ added: d.added, overwritten: d.overwritten, format: d.format }),
});
const read = (name: string, pid: Pid, cli: string[], url: string, expected: string): Row => ({
  name,
  expect: expected,
  cli: () => ['tokens', ...cli.map((a) => (a === '$pid' ? pid : a)), '--format', 'json'],
  http: () => ({ method: 'GET', url, pid }),
  answer: ({ formatVersion: _, kind: __, ...d }) => d,
});
const del = (
  name: string,
  pid: Pid,
  ids: (f: Face) => string[] | undefined,
  oldest: number | undefined,
  expected: string,
): Row => ({
  name,
  expect: expected,
  cli: (f) => [
    'tokens',
    'delete',
    pid,
    ...(ids(f) ?? []),
    ...(oldest !== undefined ? ['--oldest', String(oldest)] : []),
    '--format',
    'json',
  ],
  http: (f) => ({
    method: 'DELETE',
    url: tokensUrl(pid) + (oldest !== undefined ? `?oldest=${oldest}` : ''),
    pid,
    body: ids(f) ? { tokenIds: ids(f) } : {},
  }),
  answer: (d) => ({ deleted: d.deleted }),
});
const start = (name: string, pid: Pid, token: (f: Face) => string, expected: string): Row => ({
  name,
  expect: expected,
  cli: (f) => ['tokens', 'start', pid, token(f), '--format', 'json'],
  http: (f) => ({ method: 'POST', url: '/v1/liveform/start', pid, body: { pid, token: token(f) } }),
  answer: (d) => ({ expires: d.expiresAt === null ? null : typeof d.expiresAt, session: typeof d.sessionId }),
});
const check = (name: string, pid: Pid, token: string, expected: string): Row => ({
  name,
  expect: expected,
  cli: () => ['check', pid, '--token', token, '--format', 'json'],
  http: () => ({ method: 'POST', url: '/v1/liveform/check', pid, body: { pid, token } }),
  answer: (d) => ({
    admitted: d.admitted,
    expires: d.expiresAt === null ? null : typeof d.expiresAt,
    dryRun: d.dryRun,
  }),
});

/** Sessions the `start` rows opened, per face and row name, for the `complete` rows. */
const sessions: Record<Face, Record<string, string>> = { cli: {}, http: {} };
const PRIVATE_START = 'start: a private-mode token';
const URL_START = 'start: private mode without pre-registration (the URL is the identity)';
const complete = (
  name: string,
  pid: Pid,
  session: (f: Face) => string,
  expected: string,
  result = 'approved',
): Row => ({
  name,
  expect: expected,
  cli: (f) => ['tokens', 'complete', pid, '--session', session(f), '--result', result, '--format', 'json'],
  http: (f) => ({ method: 'POST', url: `/v1/liveform/sessions/${session(f)}/complete`, pid, body: { result } }),
  answer: (d) => ({ sessionId: typeof d.sessionId, result: d.result }),
});

const ROWS: Row[] = [
  register('register: new IDs', 'c-open', (f) => [tok(f, 'reg-a'), tok(f, 'reg-b')], 'ok'),
  register('register: again (overwrites)', 'c-open', (f) => [tok(f, 'reg-a')], 'ok'),
  register(
    'register: emergency stop halts submissions, not token management',
    'c-stopped',
    (f) => [tok(f, 'stop')],
    'ok',
  ),
  register('register: unknown project', 'c-missing', (f) => [tok(f, 'x')], 'invalid_project'),
  register('register: CLOSE project', 'c-closed', (f) => [tok(f, 'closed')], 'project_closed'),
  register('register: project without pre-registration', 'c-noprereg', (f) => [tok(f, 'np')], 'invalid_project'),
  register('register: 501 IDs in one request', 'c-open', (f) => ids(`${f}-many`, 501), 'invalid_payload'),
  register('register: a malformed ID', 'c-open', () => ['has space in it'], 'invalid_token_id_format'),
  register(
    'register: past the 100,000 cap',
    'c-full',
    (f) => [tok(f, 'cap-a'), tok(f, 'cap-b')],
    'request_token_limit_exceeded',
  ),
  importRow('import: CSV with a header', 'c-open', (f) => `token_id\n${tok(f, 'imp-a')}\n${tok(f, 'imp-b')}\n`, 'ok'),
  importRow('import: CLOSE project', 'c-closed', (f) => `${tok(f, 'imp-c')}\n`, 'project_closed'),
  importRow('import: unknown project', 'c-missing', (f) => `${tok(f, 'imp-m')}\n`, 'invalid_project'),
  importRow(
    'import: a bad line, nothing registered',
    'c-open',
    (f) => `${tok(f, 'imp-d')}\nshort\n`,
    'invalid_token_id_format',
  ),
  importRow('import: a file without any ID', 'c-open', () => '# nothing here\n', 'invalid_payload'),
  importRow(
    'import: past the cap',
    'c-full',
    (f) => `${tok(f, 'imp-e')}\n${tok(f, 'imp-f')}\n`,
    'request_token_limit_exceeded',
  ),
  read('count', 'c-open', ['count', '$pid'], `${tokensUrl('c-open')}/count`, 'ok'),
  read(
    'count: a CLOSE project is still readable',
    'c-closed',
    ['count', '$pid'],
    `${tokensUrl('c-closed')}/count`,
    'ok',
  ),
  read('count: unknown project', 'c-missing', ['count', '$pid'], `${tokensUrl('c-missing')}/count`, 'invalid_project'),
  read('list: a page of 3', 'c-open', ['list', '$pid', '--limit', '3'], `${tokensUrl('c-open')}?limit=3`, 'ok'),
  read(
    'list: a forged cursor',
    'c-open',
    ['list', '$pid', '--after', 'bm9wZQ'],
    `${tokensUrl('c-open')}?after=bm9wZQ`,
    'invalid_payload',
  ),
  read('list: unknown project', 'c-missing', ['list', '$pid'], tokensUrl('c-missing'), 'invalid_project'),
  read('get one', 'c-open', ['list', '$pid', '--id', 'cli-reg-a-0001'], `${tokensUrl('c-open')}/cli-reg-a-0001`, 'ok'),
  read(
    'get one: malformed ID',
    'c-open',
    ['list', '$pid', '--id', 'bad'],
    `${tokensUrl('c-open')}/bad`,
    'invalid_token_id',
  ),
  read(
    'get one: not registered',
    'c-open',
    ['list', '$pid', '--id', 'never-registered'],
    `${tokensUrl('c-open')}/never-registered`,
    'token_id_not_found',
  ),
  del('delete: by ID', 'c-open', (f) => [tok(f, 'reg-b')], undefined, 'ok'),
  del('delete: an ID never registered', 'c-open', () => ['never-registered'], undefined, 'token_not_found'),
  del('delete: the oldest N', 'c-stopped', () => undefined, 1, 'ok'),
  del('delete: neither IDs nor oldest', 'c-open', () => undefined, undefined, 'invalid_payload'),
  del('delete: CLOSE project', 'c-closed', () => ['closed-token-0001'], undefined, 'project_closed'),
  del('delete: unknown project', 'c-missing', () => ['closed-token-0001'], undefined, 'invalid_project'),
  start('start: a registered count-based token', 'c-open', (f) => tok(f, 'reg-a'), 'ok'),
  start('start: the same token again (expired at its first start)', 'c-open', (f) => tok(f, 'reg-a'), 'token_expired'),
  start('start: a token never registered', 'c-open', () => 'never-registered', 'token_not_found'),
  start('start: CLOSE project', 'c-closed', () => 'closed-token-0001', 'project_closed'),
  start('start: emergency stop', 'c-stopped', (f) => tok(f, 'stop'), 'emergency_stop'),
  start(
    'start: a plain token where only encrypted URLs are accepted',
    'c-sealedurl',
    () => 'sealed-token-0001',
    'encrypted_only',
  ),
  start('start: unknown project', 'c-missing', () => 'any-token-0001', 'invalid_project'),
  start('start: without pre-registration any token opens it', 'c-noprereg', (f) => tok(f, 'free'), 'ok'),
  start(PRIVATE_START, 'c-private', (f) => tok(f, 'priv'), 'ok'),
  check('check: a registered token', 'c-open', 'cli-imp-a-0001', 'ok'),
  check('check: a token never registered', 'c-open', 'never-registered', 'token_not_found'),
  check('check: CLOSE project', 'c-closed', 'closed-token-0001', 'project_closed'),
  check('check: emergency stop', 'c-stopped', 'cli-stop-0001', 'emergency_stop'),
  check('check: unknown project', 'c-missing', 'any-token-0001', 'invalid_project'),
  complete('complete: the private-mode session', 'c-private', (f) => sessions[f][PRIVATE_START], 'ok'),
  complete('complete: the same session again', 'c-private', (f) => sessions[f][PRIVATE_START], 'session_completed'),
  complete('complete: no such session', 'c-private', () => '00000000-0000-4000-8000-000000000000', 'session_not_found'),
  start('start: the private-mode token after completion', 'c-private', (f) => tok(f, 'priv'), 'token_completed'),
  start(URL_START, 'c-privurl', (f) => tok(f, 'url'), 'ok'),
  complete("complete: that URL's session", 'c-privurl', (f) => sessions[f][URL_START], 'ok', 'rejected'),
  start('start: the completed URL again', 'c-privurl', (f) => tok(f, 'url'), 'url_completed'),
  check('check: the completed URL', 'c-privurl', 'cli-url-0001', 'url_completed'),
];

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`both faces, one truth, on ${target.name}`, () => {
    let database: Database;
    let release = () => {};
    let url: string;
    let svc: Service;
    const keys: Partial<Record<Pid, string>> = {};
    const cwd = tempDir();

    beforeAll(async () => {
      if (target.name === 'pglite') {
        // A named in-memory database: the CLI in this process opens the very same one.
        url = `memory:conformance-${randomBytes(4).toString('hex')}`;
      } else {
        const fresh = await target.fresh();
        url = fresh.url;
        release = fresh.release;
      }
      database = await openDatabase(url, { namedStatements: target.name === 'postgres' });
      await migrateToLatest(database.db);
      await applyManifests(database, PROJECTS);
      for (const pid of Object.keys(PROJECTS) as Pid[]) keys[pid] = await reveal(database, pid);
      // The cap: a counter one short of it (the counter is what enforces it).
      await sql`update token_counts set registered = 99999 where project_id = 'c-full'`.execute(database.db);
      await sql`insert into token_counts (project_id, registered) select 'c-full', 99999 where not exists (select 1 from token_counts where project_id = 'c-full')`.execute(
        database.db,
      );
      // Tokens the reads and refusals look at, alike for both faces.
      await registerTokens(database.db, 'c-private', [tok('cli', 'priv'), tok('http', 'priv')]);
      await registerTokens(database.db, 'c-sealedurl', ['sealed-token-0001']);
      await registerTokens(database.db, 'c-stopped', ['old-stopped-0001', 'old-stopped-0002']);
      await sql`update projects set status = 'TEST' where id = 'c-closed'`.execute(database.db);
      await registerTokens(database.db, 'c-closed', ['closed-token-0001']);
      await sql`update projects set status = 'CLOSE' where id = 'c-closed'`.execute(database.db);
      svc = await startService(database);
    }, 120_000);
    afterAll(async () => {
      await svc?.close();
      await database?.close();
      release();
    });

    async function viaCli(args: string[]): Promise<Outcome> {
      // `@file:NAME:CONTENT` stands for a file the test writes first (import).
      const file = args.find((a) => a.startsWith('@file:'));
      const argv = [...args];
      if (file) {
        const [, name, ...content] = file.split(':');
        const { writeFileSync } = await import('node:fs');
        writeFileSync(`${cwd}/${name}`, content.join(':'));
        argv[argv.indexOf(file)] = name;
      }
      const r = await runCliInProcess(argv, { cwd, env: { ARGOS_DATABASE_URL: url } });
      if (r.code === 0) return { code: 'ok', answer: JSON.parse(r.stdout) };
      const doc = r.stdout.trim().startsWith('{') ? JSON.parse(r.stdout) : undefined;
      if (doc && doc.admitted === false) return { code: doc.code };
      const code = /error: \[([a-z_]+)\]/.exec(r.stderr)?.[1];
      return { code: code ?? `exit ${r.code}: ${r.stderr.slice(0, 300)}` };
    }

    async function viaHttp(req: ReturnType<Row['http']>): Promise<Outcome> {
      const key = req.pid ? keys[req.pid as Pid] : undefined;
      const r = await call(svc.base, req.method, req.url, { key: key ?? 'no-key', body: req.body });
      if (r.status >= 200 && r.status < 300) return { code: 'ok', answer: r.body };
      return { code: String(r.body.code ?? `status ${r.status}`) };
    }

    it('every operation: the same outcome and code from the CLI and over HTTP', async () => {
      const table: string[] = [];
      for (const row of ROWS) {
        const outcomes = {} as Record<Face, Outcome>;
        for (const face of ['cli', 'http'] as const) {
          outcomes[face] = face === 'cli' ? await viaCli(row.cli(face)) : await viaHttp(row.http(face));
          const answer = outcomes[face].answer as Record<string, unknown> | undefined;
          if (row.name.startsWith('start') && answer?.sessionId) sessions[face][row.name] = String(answer.sessionId);
        }
        const shown = (o: Outcome) =>
          o.code === 'ok' ? `ok ${JSON.stringify(row.answer?.(o.answer as Record<string, unknown>))}` : o.code;
        table.push(`${row.name}: cli ${shown(outcomes.cli)} | http ${shown(outcomes.http)}`);
        expect.soft(outcomes.cli.code, `${row.name} (cli)`).toBe(row.expect);
        // The one deliberate difference: over HTTP a project that does not exist answers as a wrong key
        // does (401 invalid_api_key), so ids cannot be probed (issue 17); the operator's CLI names it.
        // A session id that does not exist names no project whose key could be checked: 401 as well.
        const keyed =
          (row.name.endsWith('unknown project') && !row.name.startsWith('start')) ||
          row.name === 'complete: no such session';
        expect.soft(outcomes.http.code, `${row.name} (http)`).toBe(keyed ? 'invalid_api_key' : row.expect);
        if (row.expect === 'ok' && row.answer)
          expect
            .soft(row.answer(outcomes.http.answer as Record<string, unknown>), row.name)
            .toEqual(row.answer(outcomes.cli.answer as Record<string, unknown>));
      }
      expect(table.length, table.join('\n')).toBe(ROWS.length);
    }, 120_000);

    it('a refused write left nothing behind: counts are what the successful rows made', async () => {
      const count = async (pid: string) =>
        (await sql<{ n: number }>`select count(*)::int as n from tokens where project_id = ${pid}`.execute(database.db))
          .rows[0].n;
      expect(await count('c-closed')).toBe(1);
      expect(await count('c-full')).toBe(0);
      // c-open: per face reg-a, imp-a, imp-b (reg-b deleted; the 501 and the bad line refused).
      expect(await count('c-open')).toBe(6);
    });
  });
}
