// A small Prometheus registry: labelled counters, rendered in the text exposition format.
type Labels = Record<string, string>;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** One key per set of labels whatever the order they were written in (called on every request). */
function keyOf(labels: Labels): string {
  const names = Object.keys(labels);
  for (let i = 1; i < names.length; i++) {
    if (names[i - 1]! > names[i]!) {
      names.sort();
      break;
    }
  }
  let key = '';
  for (const name of names) key += `${name}\u0000${labels[name]}\u0000`;
  return key;
}

export class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = keyOf(labels);
    const entry = this.values.get(key);
    if (entry) entry.value += by;
    else this.values.set(key, { labels: { ...labels }, value: by });
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const { labels, value } of this.values.values()) {
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      lines.push(`${this.name}${text ? `{${text}}` : ''} ${value}`);
    }
    return lines.join('\n');
  }
}

/** The service's counters (per process; Prometheus sums replicas). */
export class ServiceMetrics {
  readonly requests = new Counter(
    'argos_http_requests_total',
    'HTTP requests answered by this process, by route template, method and status code (429: rate-limited).',
  );
  readonly admissions = new Counter(
    'argos_admissions_total',
    'Liveform /start requests decided by this process, by decision (admitted, or the refusal code); /check is not counted.',
  );
  readonly tokensRegistered = new Counter(
    'argos_tokens_registered_total',
    'Token IDs registered through the Token API by this process (each ID of a request, new or overwritten), not requests.',
  );
  readonly webhookDeliveries = new Counter(
    'argos_webhook_deliveries_total',
    'Webhook delivery attempts made by the worker in this process (serve --worker), by outcome (delivered, retry, dead): one per POST attempt, not per event.',
  );
  readonly webhookFailures = new Counter(
    'argos_webhook_failures_total',
    'Failed webhook delivery attempts made by the worker in this process, by reason (http-status, redirect, timeout, connection, refused-url, signing).',
  );

  readonly connectionsRefused = new Counter(
    'argos_connections_refused_total',
    'Connections or requests this process refused before reading them, by reason (total: --max-connections reached; per-client: --max-connections-per-client reached).',
  );

  /** Counts one delivery attempt of the worker running in this process. */
  countDelivery(outcome: { outcome: string; reason?: string }): void {
    this.webhookDeliveries.inc({ outcome: outcome.outcome });
    if (outcome.reason) this.webhookFailures.inc({ reason: outcome.reason });
  }

  render(extra: string[] = []): string {
    const counters = [
      this.requests,
      this.admissions,
      this.tokensRegistered,
      this.webhookDeliveries,
      this.webhookFailures,
      this.connectionsRefused,
    ];
    return (
      counters
        .map((c) => c.render())
        .concat(extra)
        .join('\n') + '\n'
    );
  }
}
