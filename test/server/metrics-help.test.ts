// Each metric says what it counts: every counter /metrics renders has a HELP line naming the
// thing counted (requests, IDs, attempts, passes, connections), and argos_prune_passes_total
// counts passes by outcome, not rows per project.
import { describe, expect, it } from 'vitest';
import { ServiceMetrics } from '../../src/server/metrics.js';
import { prunePassLines } from '../../src/server/prune-metrics.js';

const COUNTS: Record<string, RegExp> = {
  argos_http_requests_total: /^HTTP requests answered by this process, by route template, method and status code/,
  argos_admissions_total: /^Liveform \/start requests decided by this process.*\/check is not counted/,
  argos_tokens_registered_total: /^Token IDs registered .*each ID of a request.*not requests/,
  argos_webhook_deliveries_total: /^Webhook delivery attempts .*one per POST attempt, not per event/,
  argos_webhook_failures_total: /^Failed webhook delivery attempts/,
  argos_connections_refused_total: /^Connections or requests this process refused/,
  argos_prune_passes_total: /^Pruning passes run by the worker \(one per 10-minute tick .*however many projects/,
};

describe('metrics help texts', () => {
  const text = new ServiceMetrics().render(prunePassLines({ done: 2, failed: 1 }));

  it('every rendered counter has a HELP line that says what it counts, and a TYPE counter line', () => {
    const names = [...text.matchAll(/^# TYPE (\S+) counter$/gm)].map((m) => m[1]);
    expect(names.sort()).toEqual(Object.keys(COUNTS).sort());
    for (const [name, says] of Object.entries(COUNTS)) {
      const help = new RegExp(`^# HELP ${name} (.+)$`, 'm').exec(text)?.[1];
      expect({ name, help }).toEqual({ name, help: expect.stringMatching(says) });
    }
  });

  it('argos_prune_passes_total has one sample per outcome, counting passes', () => {
    expect(text).toContain('argos_prune_passes_total{outcome="done"} 2\n');
    expect(text).toContain('argos_prune_passes_total{outcome="abandoned"} 0\n');
    expect(text).toContain('argos_prune_passes_total{outcome="failed"} 1\n');
  });
});

describe('counter series', () => {
  it('the same labels written in another order count into one series, and values with separators stay apart', () => {
    const metrics = new ServiceMetrics();
    metrics.requests.inc({ route: '/a', method: 'GET', code: '200' });
    metrics.requests.inc({ code: '200', method: 'GET', route: '/a' });
    metrics.requests.inc({ route: '/a\u0000method', method: 'GET', code: '200' });
    const lines = metrics
      .render()
      .split('\n')
      .filter((l) => l.startsWith('argos_http_requests_total{'));
    expect(lines).toEqual([
      'argos_http_requests_total{route="/a",method="GET",code="200"} 2',
      'argos_http_requests_total{route="/a\u0000method",method="GET",code="200"} 1',
    ]);
  });
});
