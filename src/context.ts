/**
 * What every part of a running Lyceum shares: settings, the database, time, ids and the logger.
 * Passed explicitly so tests can substitute a controlled clock or an in-memory database.
 */
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { type Clock, systemClock } from './shared/clock.js';
import { IdGenerator } from './shared/ids.js';
import type { Logger } from './shared/logger.js';
import { DeliverySignal } from './webhooks/delivery-signal.js';
import { WebhookMetrics } from './webhooks/metrics.js';

export interface AppContext {
  config: Config;
  database: Database;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  /** Tells dispatchers that new deliveries were committed. */
  deliverySignal: DeliverySignal;
  /** Webhook delivery metrics, served at /metrics. */
  metrics: WebhookMetrics;
}

/** What a service that changes state needs: the database, time, ids and the wake-up signal. */
export type WriteServices = Pick<AppContext, 'database' | 'clock' | 'ids' | 'deliverySignal'>;

/** Assembles a context from its parts; the clock and ids default to real time and randomness. */
export function createContext(parts: {
  config: Config;
  database: Database;
  logger: Logger;
  clock?: Clock;
}): AppContext {
  const clock = parts.clock ?? systemClock;
  return {
    config: parts.config,
    database: parts.database,
    clock,
    ids: new IdGenerator(clock),
    logger: parts.logger,
    deliverySignal: new DeliverySignal(),
    metrics: new WebhookMetrics(parts.database, clock),
  };
}
