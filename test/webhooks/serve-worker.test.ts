// `argosctl serve --worker` as a real process on PostgreSQL: the worker inside the service
// delivers a token_expired event to a local receiver, /metrics counts the delivery, and SIGTERM
// stops the worker with the server (exit 0).
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeExpiredEvents } from '../../src/tokens/token-events.js';
import { BIN, tempDir } from '../helpers/cli.js';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { applyManifests, manifest, TEST_MASTER_KEY } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

describe.skipIf(!postgres.available)('serve --worker', () => {
  const fresh = useFreshDatabase(postgres);
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    await applyManifests(fresh.database, { svc: manifest('svc', `  webhook: { url: "${receiver.url('/svc')}" }\n`) });
    await fresh.database.db
      .transaction()
      .execute((tx) => writeExpiredEvents(tx, 'svc', [{ tokenId: 'svc-token-1', condition: 'count', at: new Date() }]));
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('delivers the outbox from inside the service, counts it in /metrics, and stops with it at SIGTERM', async () => {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NO_COLOR: '1',
      ARGOS_MASTER_KEY: TEST_MASTER_KEY.toString('base64'),
    };
    const args = [BIN, 'serve', '--port', '0', '--worker', '--delivery-interval', '1s', '--database-url', fresh.url];
    const child = spawn(process.execPath, args, { cwd: tempDir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await waitFor(
        'serve to listen',
        () => /listening on http:\/\/127\.0\.0\.1:\d+/.test(stderr) || child.exitCode !== null,
      );
      const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)?.[1]);
      expect(port, stderr).toBeGreaterThan(0);
      await waitFor('the delivery', () => receiver.received.length > 0);
      const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      await waitFor('the counter', async () =>
        (await metrics()).includes('argos_webhook_deliveries_total{outcome="delivered"} 1'),
      );
      expect(JSON.parse(receiver.received[0].body)).toMatchObject({
        token_id: 'svc-token-1',
        expired_condition: 'count',
      });
      expect(stderr).toMatch(/webhooks: 1 delivered, 0 to retry, 0 dead/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/serve: stopped; closing the database/);
  });
});
