// Webhook delivery against a real receiver on 127.0.0.1, with an injected clock: signed deliveries
// that verify, a 500 retried with backoff and delivered once, a receiver that is down (retries,
// dead, re-drive), two workers racing over one outbox, a time-based expiry delivered in the pass
// after it happens, and a secret rotation signing with both secrets during the overlap.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { ServiceMetrics } from '../../src/server/metrics.js';
import { writeExpiredEvents } from '../../src/tokens/token-events.js';
import { registerTokens } from '../../src/tokens/token-store.js';
import { startToken } from '../../src/tokens/token-use.js';
import { deliveryPass, type DeliveryOptions } from '../../src/webhooks/delivery-pass.js';
import { redrive } from '../../src/webhooks/redrive.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { revealWebhookSecret } from '../../src/webhooks/webhook-secret.js';
import { webhookStatus } from '../../src/webhooks/webhook-status.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { applyManifests, manifest, TEST_MASTER_KEY } from '../helpers/service.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';
import { ids } from '../helpers/token-fixtures.js';
import { tempDir } from '../helpers/cli.js';
import { open } from '../../src/transmit/open.js';

const transmissionKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const T = new Date('2026-11-25T10:00:00Z');
const later = (seconds: number, from = T) => new Date(from.getTime() + seconds * 1000);
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const RETRY = { maxAttempts: 3, baseMs: 60_000, capMs: 3600_000 };

for (const target of DATABASE_TARGETS) {
  describe.skipIf(!target.available)(`webhook delivery on ${target.name}`, () => {
    const fresh = useFreshDatabase(target);
    let database: Database;
    let receiver: Receiver;
    let downPort: number;
    const secrets: Record<string, string> = {};
    let dir: string;
    const hook = (url: string, extra = '') => `  webhook: { url: "${url}"${extra} }\n`;
    const timed = '  liveform:\n    tokens: { preRegistration: true, expiration: { mode: time, after: 10m } }\n';
    const manifests = (signedExtra = '') => ({
      signed: manifest('signed', hook(receiver.url('/signed'), signedExtra)),
      flaky: manifest('flaky', hook(receiver.url('/flaky'))),
      down: manifest('down', hook(`http://127.0.0.1:${downPort}/down`)),
      race: manifest('race', hook(receiver.url('/race'))),
      timed: manifest('timed', timed + hook(receiver.url('/timed'))),
      sealed: manifest(
        'sealed',
        '  security:\n    secureTransmission: { enabled: true, publicKey: keys/sealed.pub.pem }\n' +
          hook(receiver.url('/sealed')),
      ),
    });

    beforeAll(async () => {
      database = fresh.database;
      receiver = await startReceiver();
      const down = await startReceiver();
      downPort = down.port;
      await down.close();
      dir = tempDir();
      mkdirSync(path.join(dir, 'projects/keys'), { recursive: true });
      writeFileSync(
        path.join(dir, 'projects/keys/sealed.pub.pem'),
        String(transmissionKey.publicKey.export({ type: 'spki', format: 'pem' })),
      );
      await applyManifests(database, manifests(), dir);
      for (const p of ['signed', 'flaky', 'down', 'race', 'timed', 'sealed']) {
        secrets[p] = (await revealWebhookSecret(database.db, p, 'test', () => TEST_MASTER_KEY)).secret;
      }
    });
    afterAll(async () => {
      await receiver?.close();
    });

    const emit = (project: string, tokens: string[]) =>
      database.db.transaction().execute((tx) =>
        writeExpiredEvents(
          tx,
          project,
          tokens.map((tokenId) => ({ tokenId, condition: 'count' as const, at: T })),
        ),
      );
    const pass = (now: Date, extra: Partial<DeliveryOptions> = {}) =>
      deliveryPass(database.db, {
        now: () => now,
        me: 'w1',
        masterKey: () => TEST_MASTER_KEY,
        random: () => 0.5,
        retry: RETRY,
        ...extra,
      });
    const to = (path: string) => receiver.received.filter((r) => r.path === path);
    const eventRow = async (project: string) =>
      (
        await sql<{
          id: string;
          attempts: number;
          delivered_at: Date | null;
          dead_at: Date | null;
          next_attempt_at: Date | null;
          last_error: string | null;
        }>`
      select id, attempts, delivered_at, dead_at, next_attempt_at, last_error from token_events where project_id = ${project} order by id`.execute(
          database.db,
        )
      ).rows;

    it('a delivery is a signed POST of the documented payload with the event id; the signature verifies, and only with the secret', async () => {
      await emit('signed', ['signed-token-1']);
      expect(await pass(T)).toEqual({ expired: 0, delivered: 1, retried: 0, dead: 0 });
      const [got] = to('/signed');
      expect(JSON.parse(got.body)).toEqual({
        webhook_trigger: 'token_expired',
        token_id: 'signed-token-1',
        expired_condition: 'count',
        expired_at: T.toISOString(),
      });
      const [row] = await eventRow('signed');
      expect(got.headers).toMatchObject({
        'content-type': 'application/json',
        'argos-event-id': String(row.id),
        'argos-delivery-attempt': '1',
      });
      const header = got.headers['argos-signature'] as string;
      expect(header).toMatch(new RegExp(`^t=${seconds(T)},v1=[0-9a-f]{64}$`));
      expect(verifySignature(header, got.body, secrets.signed, seconds(T) + 30)).toEqual({ ok: true });
      expect(verifySignature(header, got.body, secrets.flaky, seconds(T))).toEqual({ ok: false, reason: 'mismatch' });
      expect(
        verifySignature(header, got.body.replace('signed-token-1', 'signed-token-2'), secrets.signed, seconds(T)),
      ).toEqual({ ok: false, reason: 'mismatch' });
      expect(verifySignature(header, got.body, secrets.signed, seconds(T) + 600)).toEqual({
        ok: false,
        reason: 'too-old',
      });
      expect(row).toMatchObject({ attempts: 1, dead_at: null, last_error: null });
      expect(row.delivered_at).not.toBeNull();
      await pass(later(3600));
      expect(to('/signed')).toHaveLength(1);
    });

    it('secure transmission on: the body is an envelope the private key opens, and the signature covers the envelope', async () => {
      await emit('sealed', ['sealed-token-1']);
      await pass(T);
      const [got] = to('/sealed');
      expect(got.headers['content-type']).toBe('application/vnd.argos.sealed+json');
      expect(got.body).not.toContain('sealed-token-1');
      expect(JSON.parse(open(transmissionKey.privateKey, got.body).toString('utf8'))).toMatchObject({
        token_id: 'sealed-token-1',
      });
      expect(verifySignature(got.headers['argos-signature'] as string, got.body, secrets.sealed, seconds(T))).toEqual({
        ok: true,
      });
    });

    it('a receiver answering 500 then 200: retried after the backoff, delivered once, counted in the metrics', async () => {
      receiver.answer = (path, n) => (path === '/flaky' && n === 1 ? 500 : 200);
      await emit('flaky', ['flaky-token-1']);
      const metrics = new ServiceMetrics();
      const onDelivery = (d: { outcome: string; reason?: string }) => metrics.countDelivery(d);
      expect(await pass(T, { onDelivery })).toMatchObject({ delivered: 0, retried: 1 });
      const [failed] = await eventRow('flaky');
      // attempt 1 with base 60 s: the wait is 30 s + 30 s × random (0.5) = 45 s; the reply's body is not kept
      expect(failed).toMatchObject({ attempts: 1, last_error: 'HTTP 500', delivered_at: null });
      expect(new Date(failed.next_attempt_at!).toISOString()).toBe(later(45).toISOString());
      expect(await pass(later(44), { onDelivery })).toMatchObject({ delivered: 0, retried: 0 });
      expect(await pass(later(45), { onDelivery })).toMatchObject({ delivered: 1, retried: 0 });
      await pass(later(7200), { onDelivery });
      const got = to('/flaky');
      expect(got.map((r) => [r.status, r.headers['argos-delivery-attempt']])).toEqual([
        [500, '1'],
        [200, '2'],
      ]);
      expect(new Set(got.map((r) => r.headers['argos-event-id'])).size).toBe(1);
      expect(metrics.render()).toContain('argos_webhook_deliveries_total{outcome="retry"} 1');
      expect(metrics.render()).toContain('argos_webhook_deliveries_total{outcome="delivered"} 1');
      expect(metrics.render()).toContain('argos_webhook_failures_total{reason="http-status"} 1');
    });

    it('a receiver that is down: retried until dead, shown by status, then re-driven and delivered', async () => {
      await emit('down', ['down-token-1']);
      expect(await pass(T)).toMatchObject({ retried: 1 });
      expect(await pass(later(3600))).toMatchObject({ retried: 1 });
      expect(await pass(later(7200))).toMatchObject({ retried: 0, dead: 1 });
      expect(await pass(later(99_999))).toMatchObject({ retried: 0, dead: 0, delivered: 0 });
      const [status] = await webhookStatus(database.db, 'down');
      expect(status).toMatchObject({ pending: 0, delivered: 0, dead: 1, nextRetryAt: null });
      expect(status.recentFailures).toEqual([
        expect.objectContaining({ attempts: 3, dead: true, error: 'connection failed (ECONNREFUSED)' }),
      ]);
      const revived = await startReceiver(downPort);
      try {
        expect((await redrive(database.db, 'down', { allDead: true })).redriven).toHaveLength(1);
        expect(await pass(later(100_000))).toMatchObject({ delivered: 1 });
        expect(revived.received).toHaveLength(1);
        expect(
          verifySignature(
            revived.received[0].headers['argos-signature'] as string,
            revived.received[0].body,
            secrets.down,
            seconds(later(100_000)),
          ),
        ).toEqual({ ok: true });
      } finally {
        await revived.close();
      }
      expect((await webhookStatus(database.db, 'down'))[0]).toMatchObject({ pending: 0, delivered: 1, dead: 0 });
    });

    // PGlite is one connection: workers there take turns, so the race is PostgreSQL's.
    it.skipIf(target.name === 'pglite')(
      'two workers racing over one outbox deliver each event exactly once (PostgreSQL only: PGlite is one connection, workers take turns)',
      async () => {
        await emit('race', ids('race', 40));
        receiver.delayMs = 15;
        const [a, b] = await Promise.all([pass(T, { me: 'w1', batchSize: 4 }), pass(T, { me: 'w2', batchSize: 4 })]);
        receiver.delayMs = 0;
        const got = to('/race');
        const perEvent = new Map<string, number>();
        for (const r of got)
          perEvent.set(
            r.headers['argos-event-id'] as string,
            (perEvent.get(r.headers['argos-event-id'] as string) ?? 0) + 1,
          );
        expect(perEvent.size).toBe(40);
        expect([...perEvent.values()].every((n) => n === 1)).toBe(true);
        expect(a.delivered + b.delivered).toBe(40);
        expect(a.delivered).toBeGreaterThan(0);
        expect(b.delivered).toBeGreaterThan(0);
        expect((await eventRow('race')).every((r) => r.attempts === 1 && r.delivered_at !== null)).toBe(true);
      },
    );

    it('a time-based expiry is marked and delivered in the first pass after it happens, not at the next prune or use', async () => {
      await registerTokens(database.db, 'timed', ['timed-token-1']);
      await startToken(database.db, 'timed', 'timed-token-1', T);
      expect(await pass(later(599))).toMatchObject({ expired: 0, delivered: 0 });
      expect(await pass(later(601))).toMatchObject({ expired: 1, delivered: 1 });
      const [got] = to('/timed');
      expect(JSON.parse(got.body)).toEqual({
        webhook_trigger: 'token_expired',
        token_id: 'timed-token-1',
        expired_condition: 'time',
        expected_expired_at: later(600).toISOString(),
      });
      const token = await database.db
        .selectFrom('tokens')
        .select('expired_at')
        .where('project_id', '=', 'timed')
        .executeTakeFirstOrThrow();
      expect(new Date(token.expired_at!).toISOString()).toBe(later(600).toISOString());
      expect(await pass(later(700))).toMatchObject({ expired: 0, delivered: 0 });
    });

    it('secretRotation bumped: the new secret signs, and the previous one beside it until the overlap ends', async () => {
      await applyManifests(database, manifests(', secretRotation: 2'), dir);
      const second = await revealWebhookSecret(database.db, 'signed', 'test', () => TEST_MASTER_KEY);
      expect(second.rotation).toBe(2);
      expect(second.secret).not.toBe(secrets.signed);
      const now = new Date();
      await emit('signed', ['signed-token-2']);
      await pass(now);
      const during = to('/signed').at(-1)!;
      expect((during.headers['argos-signature'] as string).match(/v1=/g)).toHaveLength(2);
      for (const secret of [second.secret, secrets.signed])
        expect(verifySignature(during.headers['argos-signature'] as string, during.body, secret, seconds(now))).toEqual(
          { ok: true },
        );
      const after = later(25 * 3600, now);
      await emit('signed', ['signed-token-3']);
      await pass(after);
      const last = to('/signed').at(-1)!;
      expect(
        verifySignature(last.headers['argos-signature'] as string, last.body, second.secret, seconds(after)),
      ).toEqual({ ok: true });
      expect(
        verifySignature(last.headers['argos-signature'] as string, last.body, secrets.signed, seconds(after)),
      ).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('removing the webhook deletes its secrets; its undelivered events wait, and reveal says there is none', async () => {
      // Written while the webhook is there, not yet delivered when it is removed.
      await emit('signed', ['signed-token-4']);
      await applyManifests(database, { ...manifests(', secretRotation: 2'), signed: manifest('signed', '') }, dir);
      const left = await database.db
        .selectFrom('webhook_secrets')
        .select('rotation')
        .where('project_id', '=', 'signed')
        .execute();
      expect(left).toEqual([]);
      // Without a webhook an expiry writes no event: the one pending is the earlier one.
      await emit('signed', ['signed-token-5']);
      expect(await pass(later(30 * 3600))).toMatchObject({ delivered: 0, retried: 0 });
      expect((await webhookStatus(database.db, 'signed'))[0]).toMatchObject({ webhook: null, pending: 1 });
      await expect(revealWebhookSecret(database.db, 'signed', 'test', () => TEST_MASTER_KEY)).rejects.toThrow(
        /has no webhook/,
      );
    });
  });
}
