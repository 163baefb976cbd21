/**
 * Prometheus metrics of webhook delivery. Counters and the latency histogram are updated by
 * the dispatcher as attempts finish; the backlog and disabled-endpoint gauges are read from
 * the database when `/metrics` is scraped, so every process reports the shared truth.
 */
import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/database.js';
import type { Clock } from '../shared/clock.js';

/** How an attempt ended, as the `outcome` label says it. */
export type AttemptOutcome = 'succeeded' | 'retrying' | 'failed' | 'endpoint_disabled';

export class WebhookMetrics {
  /** The registry `/metrics` serialises; one per process (and per test context). */
  readonly registry = new Registry();
  private readonly attempts: Counter<'outcome'>;
  private readonly latency: Histogram<'outcome'>;

  constructor(database: Database, clock: Clock) {
    this.attempts = new Counter({
      name: 'lyceum_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'lyceum_webhook_attempt_duration_seconds',
      help: 'Time from sending a webhook to its answer (or failure)',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers: [this.registry],
    });

    new Gauge({
      name: 'lyceum_webhook_due_backlog',
      help: 'Pending deliveries whose next attempt is due now',
      registers: [this.registry],
      async collect() {
        const row = await database.db
          .selectFrom('deliveries')
          .select(sql<number>`count(*)`.as('count'))
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', clock.now())
          .executeTakeFirst();
        this.set(Number(row?.count ?? 0));
      },
    });
    new Gauge({
      name: 'lyceum_webhook_endpoints_disabled',
      help: 'Webhook endpoints that are disabled',
      registers: [this.registry],
      async collect() {
        const row = await database.db
          .selectFrom('webhook_endpoints')
          .select(sql<number>`count(*)`.as('count'))
          .where('enabled', '=', 0)
          .executeTakeFirst();
        this.set(Number(row?.count ?? 0));
      },
    });
  }

  /** Counts one finished attempt and its duration. */
  attemptFinished(outcome: AttemptOutcome, durationMs: number): void {
    this.attempts.inc({ outcome });
    this.latency.observe({ outcome }, durationMs / 1000);
  }
}
