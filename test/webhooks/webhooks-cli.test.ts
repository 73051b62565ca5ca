// Webhooks through the CLI on PostgreSQL: validate refuses a hostile URL at its line; plan and
// apply declare the webhook; `worker --once` delivers (and logs failures without URL, body or
// secret); `webhooks status` and `redrive`; `keys reveal webhook-secret` works once. The secret
// appears in no output, plan, audit row or stored error.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeExpiredEvents } from '../../src/tokens/token-events.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { manifest } from '../helpers/service.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;
const MASTER_KEY = randomBytes(32).toString('base64');

describe.skipIf(!postgres.available)('webhooks through the CLI on PostgreSQL', () => {
  const fresh = useFreshDatabase(postgres);
  let receiver: Receiver;
  let cwd: string;
  const seen: string[] = [];
  const cli = async (args: string[]) => {
    const r = await runCliInProcess(args, {
      cwd,
      env: { ARGOS_MASTER_KEY: MASTER_KEY, ARGOS_DATABASE_URL: fresh.url },
    });
    seen.push(r.stdout, r.stderr);
    return r;
  };
  const write = (spec: string) => writeFileSync(path.join(cwd, 'projects/hooked.yaml'), manifest('hooked', spec));

  beforeAll(async () => {
    receiver = await startReceiver();
    cwd = tempDir();
    mkdirSync(path.join(cwd, 'projects'));
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('validate refuses a credentials-bearing URL at its file:line:column, naming what is allowed', async () => {
    write('  webhook:\n    url: "https://ops:hunter2@hooks.bank.example/argos"\n');
    const r = await cli(['validate']);
    expect(r.code).toBe(1);
    expect(r.stderr + r.stdout).toMatch(/hooked\.yaml:11:10/);
    expect(r.stderr + r.stdout).toMatch(
      /holds credentials \(user:password@\) \[spec\.webhook\.url\] \(webhook\.url\)\n {2}allowed: an https:\/\//,
    );
    expect(r.stderr + r.stdout).not.toContain('hunter2');
  });

  it('plan, apply, worker, status, redrive and one reveal; the secret is in no output, plan, audit row or stored error', async () => {
    write(`  webhook:\n    url: "${receiver.url('/hooked')}"\n    events: [token_expired]\n`);
    const plan = await cli(['plan', '--format', 'json']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(receiver.url('/hooked'));
    expect((await cli(['apply', '--auto-approve'])).code).toBe(0);

    await fresh.database.db
      .transaction()
      .execute((tx) =>
        writeExpiredEvents(tx, 'hooked', [{ tokenId: 'cli-token-1', condition: 'count', at: new Date() }]),
      );
    receiver.answer = () => 500;
    const failing = await cli(['worker', '--once', '--webhook-attempts', '1']);
    expect(failing.code).toBe(0);
    expect(failing.stderr).toMatch(
      /webhook event \d+ of hooked, attempt 1: HTTP 500; dead; `argosctl webhooks redrive` sends it again/,
    );
    expect(failing.stderr).not.toContain(receiver.url('/hooked'));
    expect(failing.stderr).not.toContain('hostile text');

    const status = await cli(['webhooks', 'status', 'hooked', '--format', 'json']);
    const doc = JSON.parse(status.stdout);
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    const validate = ajv.compile(
      JSON.parse(readFileSync(path.join(ROOT, 'schemas/output/webhooks-status.v1.json'), 'utf8')),
    );
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.projects[0]).toMatchObject({
      project: 'hooked',
      pending: 0,
      delivered: 0,
      dead: 1,
      recentFailures: [{ attempts: 1, dead: true, error: 'HTTP 500' }],
    });
    expect((await cli(['webhooks', 'status'])).stdout).toMatch(
      /^hooked {2}http:\/\/127\.0\.0\.1:\d+\/hooked \(token_expired; secret rotation 1\)\n {2}pending 0 {2}delivered 0 {2}dead 1\n {2}event \d+: dead after 1 attempt\(s\), last \S+: HTTP 500\n$/,
    );

    expect((await cli(['keys', 'list', 'hooked'])).stdout).toMatch(
      /webhook-secret rotation 1 {2}sha256:[0-9a-f]{12} {2}current {2}not revealed yet/,
    );
    const revealed = await cli(['keys', 'reveal', 'hooked', 'webhook-secret', '--yes-print-secret']);
    expect(revealed.code).toBe(0);
    const secret = revealed.stdout.trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    seen.splice(seen.indexOf(revealed.stdout), 1);
    const again = await cli(['keys', 'reveal', 'hooked', 'webhook-secret', '--yes-print-secret']);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already revealed[\s\S]*bump spec\.webhook\.secretRotation to 2/);

    expect((await cli(['webhooks', 'redrive', 'hooked', '--event', '1; drop table tokens'])).stderr).toMatch(
      /is not an event id/,
    );
    expect((await cli(['webhooks', 'redrive', 'hooked'])).stderr).toMatch(/--event ID .* or --all-dead/);
    expect((await cli(['webhooks', 'redrive', 'hooked', '--all-dead'])).stdout).toMatch(
      /^1 event\(s\) of hooked due again now: \d+\n$/,
    );
    receiver.answer = () => 200;
    const delivering = await cli(['worker', '--once']);
    expect(delivering.stderr).toMatch(/webhooks: 1 delivered, 0 to retry, 0 dead/);
    const last = receiver.received.at(-1)!;
    const t = Number(/t=(\d+)/.exec(last.headers['argos-signature'] as string)![1]);
    expect(verifySignature(last.headers['argos-signature'] as string, last.body, secret, t)).toEqual({ ok: true });

    const stored = await sql<{ text: string }>`
      select coalesce((select string_agg(a::text, ' ') from audit_log a), '') || (select string_agg(k::text, ' ') from key_reveals k)
        || coalesce((select string_agg(e::text, ' ') from token_events e), '') || (select string_agg(p::text, ' ') from projects p) as text`.execute(
      fresh.database.db,
    );
    for (const text of [...seen, stored.rows[0].text]) expect(text).not.toContain(secret.slice('whsec_'.length));
  });
});
