// The audit trail is one timeline: on PGlite and on PostgreSQL, `history` and `blame` show every
// recorded event in order (applies with commit, PR and dirty flag, break-glass, reveals, rewraps,
// redrives, sign-ins, prune passes), `--kind` filters, CSV shows manifest paths and values as
// written and is formula-safe with hostile actors, reasons and commit messages, and the JSON
// validates against schemas/output/history.v1.json and blame.v1.json. Uncommitted manifests:
// refused in CI (exit 3, nothing written), warned and recorded as dirty with digests elsewhere.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTimeline } from '../../src/audit/timeline.js';
import { openDatabase } from '../../src/db/connection.js';
import { ROOT, tempDir, type CliResult } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { DATABASE_TARGETS, useSharedMemoryDatabase } from '../helpers/databases.js';

const ACTOR = '@SUM(1+1)';
const REASON = '=HYPERLINK("http://evil.example","x") <b>stop</b>';
const SUBJECT = '-2+3 <img src=x onerror=alert(1)> | `tick` (#7)';
const AGENT = '+cmd|" /C calc"!A0\n::error::x';

function schema(name: string) {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv.compile(JSON.parse(readFileSync(path.join(ROOT, `schemas/output/${name}.v1.json`), 'utf8')));
}

/** Every cell of a CSV text, unquoted. */
function csvCells(csv: string): string[][] {
  return csv
    .trimEnd()
    .split('\n')
    .map((line) =>
      line
        .match(/("([^"]|"")*"|[^,]*)(,|$)/g)!
        .slice(0, -1)
        .map((c) => c.replace(/,$/, '').replace(/^"([\s\S]*)"$/, (_m, inner: string) => inner.replace(/""/g, '"'))),
    );
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Ana',
      GIT_AUTHOR_EMAIL: 'ana@x.example',
      GIT_COMMITTER_NAME: 'Ana',
      GIT_COMMITTER_EMAIL: 'ana@x.example',
    },
  });
}

describe.each(DATABASE_TARGETS)('the audit timeline on $name', (target) => {
  let cwd: string;
  let url: string;
  let release: () => void = () => {};
  const env = () => ({ ARGOS_DATABASE_URL: url, ARGOSCTL_ACTOR: ACTOR });
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
    runCliInProcess(args, { cwd, env: { ...env(), ...extra } });
  const manifest = () => path.join(cwd, 'projects/kbank-onboarding.yaml');
  const embedded = target.name === 'pglite' ? useSharedMemoryDatabase() : undefined;
  let history: { entries: { kind: string; time: string; [k: string]: unknown }[] };

  beforeAll(async () => {
    if (!target.available) return;
    cwd = tempDir('examples/bank');
    if (embedded) url = embedded.url;
    else ({ url, release } = await target.fresh());
    writeFileSync(path.join(cwd, '.gitignore'), '.argos/\n');
    git(cwd, 'init', '-q');
    git(cwd, 'add', '-A');
    git(cwd, 'commit', '-qm', SUBJECT);
    const first = await run(['apply', '--auto-approve']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(/differs from the commit/);
    // An uncommitted change: refused in CI, applied with a warning on a workstation.
    writeFileSync(manifest(), readFileSync(manifest(), 'utf8').replace('after: 24h', 'after: 36h'));
    const ci = await run(['apply', '--auto-approve'], { CI: 'true' });
    expect(ci.code, ci.stderr).toBe(3);
    expect(ci.stderr).toMatch(
      /apply refused: the manifest folder differs from the commit \(M projects\/kbank-onboarding\.yaml\)/,
    );
    const dirty = await run(['apply', '--auto-approve']);
    expect(dirty.code, dirty.stderr).toBe(0);
    expect(dirty.stderr).toMatch(/warning: the manifest folder differs from the commit/);
    expect(dirty.stdout).toMatch(/Applied: 0 to create, 1 to update/); // the refused run wrote nothing
    expect((await run(['emergency-stop', 'kbank-prod', '--reason', REASON])).code).toBe(0);
    const reveal = await run(['keys', 'reveal', 'kbank-onboarding', '2026-q4', '--out', path.join(cwd, 'key.txt')]);
    expect(reveal.code, reveal.stderr).toBe(0);
    // what the dashboard and the service write: a sign-in and a dead webhook event
    const database = await openDatabase(url);
    try {
      await database.db
        .insertInto('admin_logins')
        .values({ email: 'ops@kbank.example', ip: '10.1.2.3', user_agent: AGENT })
        .execute();
      await sql`insert into token_events (project_id, payload, dead_at)
        values ('kbank-onboarding', cast(${JSON.stringify({ webhook_trigger: 'token_expired' })} as jsonb), now())`.execute(
        database.db,
      );
    } finally {
      await database.close();
    }
    expect((await run(['webhooks', 'redrive', 'kbank-onboarding', '--all-dead'])).code).toBe(0);
    expect((await run(['prune', '--project', 'kbank-onboarding'])).code).toBe(0);
    const rewrap = await run(['keys', 'rewrap'], { ARGOS_NEW_MASTER_KEY: randomBytes(32).toString('base64') });
    expect(rewrap.code, rewrap.stderr).toBe(0);
    const json = await run(['history', '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    history = JSON.parse(json.stdout);
  });
  afterAll(() => release());

  it.skipIf(!target.available)('history lists every kind, oldest first, and validates against its schema', () => {
    const validate = schema('history');
    expect(validate(history), JSON.stringify(validate.errors)).toBe(true);
    const kinds = history.entries.map((e) => e.kind);
    expect(new Set(kinds)).toEqual(
      new Set(['apply', 'break-glass', 'reveal', 'redrive', 'sign-in', 'prune', 'rewrap']),
    );
    const times = history.entries.map((e) => e.time);
    expect(times).toEqual([...times].sort());
    // the order things happened in: applies, stop, reveal, (sign-in), redrive, prune, rewrap
    const firstOf = (k: string) => kinds.indexOf(k);
    expect(firstOf('apply')).toBeLessThan(firstOf('break-glass'));
    expect(firstOf('break-glass')).toBeLessThan(firstOf('reveal'));
    expect(firstOf('reveal')).toBeLessThan(firstOf('redrive'));
    expect(firstOf('redrive')).toBeLessThan(firstOf('prune'));
    expect(firstOf('prune')).toBeLessThan(firstOf('rewrap'));
    expect(history.entries.find((e) => e.kind === 'reveal')).toMatchObject({
      actor: ACTOR,
      project: 'kbank-onboarding',
      secret: 'encryption-key:2026-q4',
      fingerprint: expect.stringMatching(/^sha256:/),
    });
  });

  it.skipIf(!target.available)('the dirty apply is recorded dirty, with the digest of the file applied', () => {
    const applies = history.entries.filter((e) => e.kind === 'apply');
    const update = applies.find((e) => e.action === 'update')!;
    const digest = createHash('sha256').update(readFileSync(manifest())).digest('hex');
    expect(update).toMatchObject({
      dirty: true,
      dirtyFiles: [{ path: 'projects/kbank-onboarding.yaml', status: 'M', sha256: digest }],
      shown: { before: '24h', after: '36h', default: false },
      commit: git(cwd, 'rev-parse', 'HEAD').trim(),
      pr: 7,
    });
    expect(applies.filter((e) => e.action === 'create').every((e) => e.dirty === false)).toBe(true);
  });

  it.skipIf(!target.available)('--kind filters, repeated or as a comma list; an unknown kind is refused', async () => {
    const comma = JSON.parse((await run(['history', '--kind', 'reveal,redrive', '--format', 'json'])).stdout);
    expect(new Set(comma.entries.map((e: { kind: string }) => e.kind))).toEqual(new Set(['reveal', 'redrive']));
    // the same filter in the core, without a command per case
    const database = await openDatabase(url);
    try {
      const kindsOf = async (query: Parameters<typeof readTimeline>[1]) =>
        new Set((await readTimeline(database.db, query)).events.map((e) => e.kind));
      expect(await kindsOf({ kinds: ['sign-in', 'break-glass'] })).toEqual(new Set(['sign-in', 'break-glass']));
      expect(await kindsOf({ project: 'kbank-prod', kinds: ['apply'] })).toEqual(new Set(['apply']));
      // a project's sign-ins are its administrators'; a rewrap concerns every project
      expect(await kindsOf({ project: 'kbank-onboarding', kinds: ['sign-in', 'rewrap'] })).toEqual(
        new Set(['sign-in', 'rewrap']),
      );
    } finally {
      await database.close();
    }
    const bad = await run(['history', '--kind', 'apply,oops']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--kind: "oops" is not an event kind/);
    expect(bad.stderr).toMatch(/one of: apply, break-glass, reveal, rewrap, redrive, sign-in, prune/);
  });

  it.skipIf(!target.available)(
    'CSV: manifest paths and values as written, defaults marked, no formula cell',
    async () => {
      const csv = (await run(['history', '--format', 'csv'])).stdout;
      expect(csv).not.toMatch(/apiKeyPreviousValidSeconds|tokenExpirationSeconds|\b86400\b|\b129600\b/);
      expect(csv).toMatch(/,update,spec\.liveform\.tokens\.expiration\.after,24h,36h,/);
      expect(csv).toMatch(/,create,spec\.liveform\.tokens\.expiration\.after,,24h,/);
      expect(csv).toMatch(/,create,spec\.liveform\.tokens\.expiration\.mode,,"""none"" \(default\)",/);
      const rows = csvCells(csv);
      for (const row of rows) for (const cell of row) expect(cell, row.join(',')).not.toMatch(/^[=+\-@\t\r]/);
      expect(rows.some((r) => r.includes(`'${ACTOR}`))).toBe(true);
      expect(rows.some((r) => r.includes(`'${REASON}`))).toBe(true);
      expect(csv.trimEnd().split('\n')).toHaveLength(rows.length); // the user agent's newline did not split a row
    },
  );

  it.skipIf(!target.available)(
    'blame: values as written, dirty marked, the hostile commit subject inert, other events below',
    async () => {
      const text = (await run(['blame', 'kbank-onboarding'])).stdout;
      expect(text).toMatch(/uncommitted \(on [0-9a-f]{7}\) .* spec\.liveform\.tokens\.expiration\.after = 36h/);
      expect(text).toMatch(/Other recorded events:[\s\S]*revealed encryption-key:2026-q4/);
      expect(text).not.toMatch(/^\s*::/m);
      const markdown = (await run(['blame', 'kbank-onboarding', '--format', 'markdown'])).stdout;
      expect(markdown).not.toMatch(/<img|`tick`/);
      const csv = (await run(['blame', 'kbank-onboarding', '--format', 'csv', '--kind', 'reveal'])).stdout;
      for (const row of csvCells(csv)) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      expect(csv).toMatch(/'-2\+3 <img/);
      expect(csvCells(csv).filter((r) => r[1] === 'reveal')).toHaveLength(1);
      expect(csvCells(csv).some((r) => r[1] === 'redrive')).toBe(false);
      const json = JSON.parse((await run(['blame', 'kbank-onboarding', '--format', 'json'])).stdout);
      const validate = schema('blame');
      expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
      expect(
        json.settings.find((s: { setting: string }) => s.setting === 'spec.liveform.tokens.expiration.after'),
      ).toMatchObject({
        shown: '36h',
        setBy: { dirty: true },
      });
    },
  );
});
