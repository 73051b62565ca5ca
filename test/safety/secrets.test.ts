// No secret leaves the database: canary key material must not appear in stdout, stderr, saved
// plans, JSON or markdown, audit rows, on any command or error path, including database errors
// whose detail echoes the failing row. Commands run in process (their stdout and stderr, stray
// writes included, are captured); the two error paths run as real processes as well, so whatever
// Node itself would print on the way out is searched too.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CompiledQuery, sql } from 'kysely';
import { open } from '../../src/keys/seal.js';
import { encryptionKeyLabel } from '../../src/keys/sealed-columns.js';
import { sealCanaryKeys, testMasterKey } from '../helpers/canary-keys.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';

const CANARY = Buffer.from('c4a7a12ff00dcafe' + 'deadbeef'.repeat(5) + '0badc0de', 'hex'); // 32 bytes
const FORMS = [
  CANARY.toString('hex'),
  CANARY.toString('base64'),
  CANARY.toString('base64url'),
  CANARY.toString('latin1'),
  CANARY.toString('hex').slice(0, 16),
];

function expectNoCanary(where: string, text: string): void {
  for (const form of FORMS)
    expect(text.includes(form), `${where} contains the canary (${form.slice(0, 8)}…)`).toBe(false);
}

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

describe.skipIf(!postgres.available)('canary key material on postgres', () => {
  const fresh = useFreshDatabase(postgres);
  let database: Database;
  let url: string;
  let cwd: string;
  const outputs: [string, CliResult][] = [];
  const cli = async (args: string[], env?: NodeJS.ProcessEnv) => {
    const r = await runCliInProcess([...args, '--database-url', url], { cwd, env });
    outputs.push([args.join(' '), r]);
    return r;
  };
  /** The same, as a real process. */
  const spawned = async (args: string[]) => {
    const r = await runCli([...args, '--database-url', url], { cwd });
    outputs.push([`${args.join(' ')} (a real process)`, r]);
    return r;
  };

  beforeAll(async () => {
    ({ database, url } = fresh);
    cwd = tempDir('examples/bank');
    expect((await cli(['apply', '--auto-approve'])).code).toBe(0);
    await sealCanaryKeys(
      async (text, params) => await database.db.executeQuery(CompiledQuery.raw(text, params)),
      CANARY,
    );
    // A trigger that writes the canary in clear into a new key row named boom, which then fails a
    // constraint: PostgreSQL's error detail ("Failing row contains …") would echo the canary.
    await sql
      .raw(`
      create function canary_key() returns trigger language plpgsql as $$
      begin if new.name = 'boom' then new.material := decode('${CANARY.toString('hex')}', 'hex'); end if; return new; end $$;
      create trigger canary_key before insert on encryption_keys for each row execute function canary_key();
      alter table encryption_keys add constraint no_boom check (name <> 'boom');
    `)
      .execute(database.db);
  });

  it('every command, format and error path keeps the canary in the database', async () => {
    const manifest = path.join(cwd, 'projects/kbank-onboarding.yaml');
    const original = readFileSync(manifest, 'utf8');
    await cli(['validate', '--format', 'json']);
    await cli(['plan']);
    await cli(['plan', '--format', 'json']);
    await cli(['plan', '--format', 'markdown']);
    // a change that touches keys: retire one, add one (a new key row goes through the trigger)
    writeFileSync(
      manifest,
      original.replace(
        '      - { name: 2026-q4, status: active }',
        '      - { name: 2026-q4, status: active }\n      - { name: 2027-q1, status: active }',
      ),
    );
    await cli(['plan', '--out', 'plan.json']);
    expect((await cli(['apply', 'plan.json'])).code).toBe(0);
    await cli(['apply', 'plan.json']); // refused: already applied / stale
    // a key whose insert fails with the canary in the error detail
    writeFileSync(
      manifest,
      original.replace(
        '      - { name: 2026-q4, status: active }',
        '      - { name: 2026-q4, status: active }\n      - { name: 2027-q1, status: active }\n      - { name: boom, status: active }',
      ),
    );
    for (const failed of [await cli(['apply', '--auto-approve']), await spawned(['apply', '--auto-approve'])]) {
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/database error 23514/);
    }
    await cli(['emergency-stop', 'kbank-prod', '--reason', 'canary drill']);
    await cli(['apply', '--auto-approve', '--format', 'json']); // refused: emergency-resume
    const unreachableUrl = ['--database-url', 'postgres://nobody:hunter2@127.0.0.1:1/none'];
    for (const unreachable of [
      await runCliInProcess(['plan', ...unreachableUrl], { cwd }),
      await runCli(['plan', ...unreachableUrl], { cwd }),
    ]) {
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toMatch(/database postgres:\/\/127\.0\.0\.1:1\/none is unreachable/);
      outputs.push(['plan (unreachable)', unreachable]);
    }

    expect(outputs.length).toBeGreaterThan(10);
    for (const [command, r] of outputs) {
      expectNoCanary(`stdout of ${command}`, r.stdout);
      expectNoCanary(`stderr of ${command}`, r.stderr);
    }
    expectNoCanary('the saved plan', readFileSync(path.join(cwd, 'plan.json'), 'latin1'));
    const audit = await sql<{ row: string }>`select a::text as row from audit_log a`.execute(database.db);
    expect(audit.rows.length).toBeGreaterThan(0);
    for (const r of audit.rows) expectNoCanary('an audit row', r.row);
    // The canary is really there to be leaked: sealed, it opens to the canary.
    const rows = await database.db
      .selectFrom('encryption_keys')
      .selectAll()
      .where('project_id', '=', 'kbank-prod')
      .execute();
    expect(
      rows.filter((r) =>
        open(testMasterKey(), r.sealed!, encryptionKeyLabel(r.project_id, r.name, r.rotation)).equals(CANARY),
      ).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('the key commands (keys list, url build/open, check --encrypted, keys reveal): the canary shows only in the one reveal', async () => {
    const run = async (args: string[]) => {
      const r = await runCliInProcess([...args, '--database-url', url], { cwd });
      outputs.push([args.join(' '), r]);
      return r;
    };
    await run(['keys', 'list', 'kbank-prod']);
    await run(['keys', 'list', 'kbank-prod', '--format', 'json']);
    const built = await run(['url', 'build', 'kbank-prod', '--param', 'token=t-1', '--key', '2026-q4']);
    expect(built.code, built.stderr).toBe(0);
    const link = built.stdout.trim();
    expect((await run(['url', 'open', link])).stdout).toContain('token = t-1');
    await run(['url', 'open', link, '--format', 'json']);
    await run(['url', 'build', 'kbank-prod', '--param', 'token=t-1', '--format', 'json']);
    // kbank-prod is under emergency stop (above): check opens URLs of kbank-onboarding
    const onboarding = (await run(['url', 'build', 'kbank-onboarding', '--param', 'token=t-1'])).stdout.trim();
    const encrypted = new URL(onboarding).searchParams.get('encrypted')!;
    expect((await run(['check', 'kbank-onboarding', '--encrypted', encrypted])).stdout).not.toMatch(/encrypted_/);
    expect((await run(['check', 'kbank-onboarding', '--encrypted', encrypted.slice(0, -4) + 'AAAA'])).stdout).toMatch(
      /encrypted_tampered/,
    );
    await run(['keys', 'reveal', 'kbank-prod', '2026-q4']); // refused: not a terminal
    for (const [command, r] of outputs) {
      expectNoCanary(`stdout of ${command}`, r.stdout);
      expectNoCanary(`stderr of ${command}`, r.stderr);
    }
    const reveal = await run(['keys', 'reveal', 'kbank-prod', '2026-q4', '--yes-print-secret']);
    expect(reveal.code, reveal.stderr).toBe(0);
    expect(reveal.stdout).toBe(`${CANARY.toString('base64')}\n`);
    expectNoCanary('stderr of keys reveal', reveal.stderr);
    const again = await run(['keys', 'reveal', 'kbank-prod', '2026-q4', '--yes-print-secret']);
    expect(again.code).toBe(3);
    expectNoCanary('the refused second reveal', again.stdout + again.stderr);
  });

  it('a database URL password is never printed', () => {
    const [, r] = outputs.find(([c]) => c === 'plan')!;
    expect(r.code).toBe(0);
    for (const [, out] of outputs) expect(out.stderr + out.stdout).not.toContain('hunter2');
  });
});
