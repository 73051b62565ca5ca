// Every `--format json` document carries formatVersion and validates against its published schema
// under schemas/output/: the real commands, in process, on a PostgreSQL database from the template
// (the documents do not depend on the dialect; e2e.test.ts covers the embedded database).
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir, type CliResult } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { useCliDatabase } from '../helpers/databases.js';
import { OUTPUT_KINDS } from '../../src/render/json-document.js';
import { GithubStandIn } from '../helpers/github-standin.js';
import { manifest } from '../helpers/service.js';

const SCHEMA_DIR = path.join(ROOT, 'schemas/output');

function validators(): Map<string, ValidateFunction> {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  const out = new Map<string, ValidateFunction>();
  for (const file of readdirSync(SCHEMA_DIR))
    out.set(
      file.replace(/\.v1\.json$/, ''),
      ajv.compile(JSON.parse(readFileSync(path.join(SCHEMA_DIR, file), 'utf8'))),
    );
  return out;
}

describe('JSON outputs against schemas/output/*.v1.json', () => {
  const schemas = validators();
  const checked = new Set<string>();
  let cwd: string;
  const database = useCliDatabase();
  const runCli = (args: string[], options: { cwd: string }) => runCliInProcess(args, { ...options, env: database.env });

  /** The command's stdout is exactly one JSON document, valid against `kind`'s schema. */
  function expectDocument(kind: string, r: CliResult): Record<string, unknown> {
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(doc).slice(0, 2), `${kind}: formatVersion, then kind`).toEqual(['formatVersion', 'kind']);
    expect(doc.kind, r.stdout).toBe(kind);
    const validate = schemas.get(kind)!;
    expect(validate(doc), `${kind}: ${JSON.stringify(validate.errors)}`).toBe(true);
    checked.add(kind);
    return doc;
  }

  beforeAll(() => {
    cwd = tempDir('examples/bank');
  });

  it('validate, plan, apply, history, blame, drift, tokens list and count, and an error', async () => {
    expectDocument('validate', await runCli(['validate', '--format', 'json'], { cwd }));
    expectDocument('plan', await runCli(['plan', '--format', 'json'], { cwd }));
    const apply = await runCli(['apply', '--auto-approve', '--format', 'json'], { cwd });
    expect(apply.code, apply.stderr).toBe(0);
    expect(expectDocument('apply', apply)).toMatchObject({ applied: true });
    const history = expectDocument('history', await runCli(['history', '--format', 'json'], { cwd }));
    expect((history.entries as unknown[]).length).toBeGreaterThan(0);
    expectDocument('blame', await runCli(['blame', 'kbank-onboarding', '--format', 'json'], { cwd }));
    const manifest = path.join(cwd, 'projects/kbank-onboarding.yaml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('status: TEST', 'status: TRIAL'));
    const drift = await runCli(['drift', '--format', 'json'], { cwd });
    expect(drift.code).toBe(2);
    expect(expectDocument('drift', drift)).toMatchObject({ drift: true });
    await runCli(['tokens', 'register', 'kbank-onboarding', 'token-0001', 'token-0002'], { cwd });
    const list = await runCli(['tokens', 'list', 'kbank-onboarding', '--limit', '1', '--format', 'json'], { cwd });
    expect(expectDocument('tokens-list', list)).toHaveProperty('next');
    // text: stdout is the page alone (pipeable); the next-page hint goes to stderr
    const text = await runCli(['tokens', 'list', 'kbank-onboarding', '--limit', '1'], { cwd });
    expect(text.stdout).toMatch(/^token-0001\t\S+\tvalid\n$/);
    expect(text.stderr).toMatch(/next page: --after \S+/);
    expectDocument('tokens-count', await runCli(['tokens', 'count', 'kbank-onboarding', '--format', 'json'], { cwd }));
    const keys = expectDocument(
      'keys-list',
      await runCli(['keys', 'list', 'kbank-onboarding', '--format', 'json'], { cwd }),
    );
    expect(keys.encryptionKeys).toMatchObject([{ name: '2026-q4', status: 'active', current: true, revealed: null }]);
    const built = expectDocument(
      'url-build',
      await runCli(['url', 'build', 'kbank-onboarding', '--param', 'token=t-1', '--format', 'json'], { cwd }),
    );
    const opened = expectDocument(
      'url-open',
      await runCli(['url', 'open', built.url as string, '--format', 'json'], { cwd }),
    );
    expect(opened).toMatchObject({ params: { token: 't-1' }, key: { name: '2026-q4' } });
    expectDocument('webhooks-status', await runCli(['webhooks', 'status', '--format', 'json'], { cwd }));
    const error = await runCli(['apply', 'missing-plan.json', '--format', 'json'], { cwd });
    expect(error.code).toBe(1);
    expect((expectDocument('error', error).error as { code?: string }).code).toBeUndefined();
    // A token command's error carries the Token API's code on its own, for scripts.
    const tokenError = await runCli(['tokens', 'list', 'nosuch', '--format', 'json'], { cwd });
    expect(tokenError.code).toBe(1);
    expect(expectDocument('error', tokenError).error).toMatchObject({
      code: 'invalid_project',
      message: '[invalid_project] project "nosuch" does not exist',
    });
  });

  it('invalid manifests: validate, plan and drift print the validate document', async () => {
    const bad = tempDir();
    writeFileSync(
      path.join(bad, 'p.yaml'),
      'apiVersion: argosctl/v1\nkind: Project\nmetadata: { id: ok, name: x }\nspec:\n  status: LIVE\n',
    );
    for (const command of ['validate', 'plan', 'drift']) {
      const r = await runCli([command, '--dir', '.', '--format', 'json'], { cwd: bad });
      expect(r.code, command).toBe(1);
      expect(expectDocument('validate', r)).toMatchObject({ valid: false });
    }
  });

  it('policy test', async () => {
    const dir = tempDir('examples/global-platform', '.');
    mkdirSync(path.join(dir, '.git')); // a repository root: argosctl.yaml above projects/ is found up to it
    const r = await runCli(['policy', 'test', '--format', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(expectDocument('policy-test', r)).toMatchObject({ violations: 0, projects: 3 }); // the example's own policy
  });

  it('tokens register, import, show, start, complete, delete; check, prune, emergency, admins logins', async () => {
    const project = 'kbank-onboarding';
    expectDocument(
      'tokens-register',
      await runCli(['tokens', 'register', project, 'token-0101', '--format', 'json'], { cwd }),
    );
    writeFileSync(path.join(cwd, 'ids.txt'), 'token-0201\ntoken-0202\n');
    expect(
      expectDocument(
        'tokens-import',
        await runCli(['tokens', 'import', project, 'ids.txt', '--format', 'json'], { cwd }),
      ),
    ).toMatchObject({ added: 2, format: 'lines' });
    expectDocument(
      'tokens-show',
      await runCli(['tokens', 'list', project, '--id', 'token-0201', '--format', 'json'], { cwd }),
    );
    // start and complete on a project that takes plain URLs (kbank-onboarding is encrypted-only)
    const startup = tempDir('examples/startup');
    expect((await runCli(['apply', '--auto-approve'], { cwd: startup })).code).toBe(0);
    await runCli(['tokens', 'register', 'acme-beta', 'token-0301'], { cwd: startup });
    expectDocument(
      'tokens-start',
      await runCli(['tokens', 'start', 'acme-beta', 'token-0301', '--format', 'json'], { cwd: startup }),
    );
    expectDocument(
      'tokens-complete',
      await runCli(['tokens', 'complete', 'acme-beta', 'token-0301', '--format', 'json'], { cwd: startup }),
    );
    expect(
      expectDocument(
        'tokens-delete',
        await runCli(['tokens', 'delete', project, 'token-0202', '--format', 'json'], { cwd }),
      ),
    ).toMatchObject({ deleted: 1 });
    const check = await runCli(['check', project, '--token', 'token-0101', '--format', 'json'], { cwd });
    expectDocument('check', check);
    expect(expectDocument('prune', await runCli(['prune', '--dry-run', '--format', 'json'], { cwd }))).toMatchObject({
      dryRun: true,
    });
    const stop = await runCli(['emergency-stop', project, '--reason', 'drill', '--format', 'json'], { cwd });
    expect(expectDocument('emergency', stop)).toMatchObject({ changed: true, after: 'emergency-stop' });
    await runCli(['emergency-resume', project, '--reason', 'drill over'], { cwd });
    expectDocument('logins', await runCli(['admins', 'logins', 'ops@kbank.example', '--format', 'json'], { cwd }));
  });

  it('init, fmt, migrate, export and --version', async () => {
    const repo = tempDir();
    mkdirSync(path.join(repo, '.git'));
    const init = expectDocument('init', await runCli(['init', '--format', 'json'], { cwd: repo }));
    expect((init.files as { result: string }[]).every((f) => f.result === 'created')).toBe(true);
    expect(expectDocument('fmt', await runCli(['fmt', '--check', '--format', 'json'], { cwd: repo }))).toMatchObject({
      changed: [],
      failed: [],
    });
    const migrate = await runCli(['migrate', '--check', '--format', 'json'], { cwd: repo });
    expectDocument('migrate', migrate);
    const exported = await runCli(['export', '--out', path.join(repo, 'exported'), '--format', 'json'], { cwd });
    expect(exported.code, exported.stderr).toBe(0);
    expect((expectDocument('export', exported).files as string[]).length).toBeGreaterThan(0);
    expectDocument('version', await runCli(['--version', '--format', 'json'], { cwd }));
  });

  it('keys reveal and rewrap, db migrate and roles, transmit seal, service-key and open, webhooks redrive', async () => {
    // keys reveal --out: the secret goes to the file only; the document names the file
    const keyFile = path.join(cwd, 'revealed-key.txt');
    const revealed = await runCli(
      ['keys', 'reveal', 'kbank-onboarding', '2026-q4', '--out', keyFile, '--format', 'json'],
      { cwd },
    );
    const secret = readFileSync(keyFile, 'utf8').trim();
    expect(secret).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(expectDocument('keys-reveal', revealed)).toMatchObject({
      secretKind: 'encryption-key',
      encoding: 'base64',
      out: keyFile,
    });
    expect(revealed.stdout + revealed.stderr).not.toContain(secret);
    // printed (only with --yes-print-secret off a terminal): the secret is in the document, once
    const keyed = tempDir();
    mkdirSync(path.join(keyed, 'projects'));
    writeFileSync(
      path.join(keyed, 'projects/keyed.yaml'),
      manifest('keyed', '  security:\n    apiKey: { rotation: 1 }\n'),
    );
    // its own embedded database and master key file: the rewrap changes the key of every sealed value there
    const keyedCli = (args: string[]) => runCliInProcess(args, { cwd: keyed, env: { ARGOS_MASTER_KEY: '' } });
    expect((await keyedCli(['apply', '--auto-approve'])).code).toBe(0);
    writeFileSync(path.join(keyed, 'new.key'), `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
    const rewrap = expectDocument(
      'keys-rewrap',
      await keyedCli(['keys', 'rewrap', '--new-key-file', 'new.key', '--format', 'json']),
    );
    expect(rewrap).toMatchObject({ masterKeyFile: path.join(keyed, '.argos/db.master-key') });
    expect(Object.values(rewrap.rewrapped as Record<string, number>).reduce((a, b) => a + b)).toBeGreaterThan(0);
    // after the rewrap, the key file beside the database holds the new key: the reveal opens with it
    const refused = await keyedCli(['keys', 'reveal', 'keyed', 'api-key', '--format', 'json']);
    expect(refused.code).toBe(1);
    expectDocument('error', refused);
    const printed = expectDocument(
      'keys-reveal',
      await keyedCli(['keys', 'reveal', 'keyed', 'api-key', '--yes-print-secret', '--format', 'json']),
    );
    expect(printed).toMatchObject({ secretKind: 'api-key', rotation: 1, secret: expect.stringMatching(/^argos_/) });
    expect(expectDocument('db-migrate', await runCli(['db', 'migrate', '--format', 'json'], { cwd }))).toMatchObject({
      applied: [],
    });
    const roles = expectDocument('db-roles', await runCli(['db', 'roles', '--format', 'json'], { cwd }));
    expect(roles.sql).toMatch(/CREATE ROLE/i);
    // transmit: seal for a key pair made here, open it again; binary data comes back whole in base64
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(path.join(cwd, 'r.pub.pem'), pair.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(path.join(cwd, 'r.key.pem'), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const data = Buffer.from([0, 1, 2, 0x1b, 0xff, 0x2d, 0x2d]);
    writeFileSync(path.join(cwd, 'data.bin'), data);
    const sealed = expectDocument(
      'transmit-seal',
      await runCli(['transmit', 'seal', '--public-key', 'r.pub.pem', '--in', 'data.bin', '--format', 'json'], {
        cwd,
      }),
    );
    writeFileSync(path.join(cwd, 'envelope.json'), JSON.stringify(sealed.envelope));
    const opened = expectDocument(
      'transmit-open',
      await runCli(['transmit', 'open', '--private-key', 'r.key.pem', '--in', 'envelope.json', '--format', 'json'], {
        cwd,
      }),
    );
    expect(Buffer.from(opened.base64 as string, 'base64')).toEqual(data);
    const service = expectDocument(
      'transmit-service-key',
      await runCli(['transmit', 'service-key', 'kbank-onboarding', '--format', 'json'], { cwd }),
    );
    expect(service.fingerprint).toMatch(/^SHA256:/);
    expect(
      expectDocument(
        'webhooks-redrive',
        await runCli(['webhooks', 'redrive', 'kbank-onboarding', '--all-dead', '--format', 'json'], { cwd }),
      ),
    ).toMatchObject({ redriven: [], hasWebhook: false });
  });

  it('github comment, against the local GitHub stand-in', async () => {
    const gh = await new GithubStandIn().start();
    try {
      writeFileSync(path.join(cwd, 'event.json'), JSON.stringify({ pull_request: { number: 7 } }));
      const env = {
        ...database.env,
        GITHUB_TOKEN: 'ghs_test',
        GITHUB_REPOSITORY: 'acme/idv',
        GITHUB_EVENT_PATH: path.join(cwd, 'event.json'),
        GITHUB_SHA: 'a'.repeat(40),
        GITHUB_API_URL: gh.url,
      };
      const first = await runCliInProcess(['github', 'comment', '--format', 'json'], { cwd, env });
      expect(expectDocument('github-comment', first)).toMatchObject({
        repository: 'acme/idv',
        pullRequest: 7,
        comment: { created: true },
        status: { context: 'argosctl/plan', state: 'success' },
        valid: true,
      });
      const again = await runCliInProcess(['github', 'comment', '--format', 'json'], { cwd, env });
      expect(expectDocument('github-comment', again)).toMatchObject({ comment: { created: false } });
    } finally {
      await gh.stop();
    }
  });

  it('every kind the code can print has a schema, and every schema a kind', () => {
    expect([...OUTPUT_KINDS].sort()).toEqual([...schemas.keys()].sort());
  });

  it('every published output schema was checked against a real output', () => {
    expect([...checked].sort()).toEqual([...schemas.keys()].sort());
  });
});
