/**
 * One attempt of one claimed delivery: read the endpoint as it is now, sign and send the
 * event, record what happened. The endpoint is read at send time, not at claim time, so a
 * URL change, a rotation or a disable made while the delivery waited takes effect at once.
 */
import type { AppContext } from '../context.js';
import type { Database } from '../db/database.js';
import type { EventTable, WebhookEndpointTable } from '../db/schema.js';
import { toError } from '../shared/errors.js';
import { failUnsent, recordAttempt } from './attempt-result.js';
import type { DeliveryRow } from './claim.js';
import { buildDeliveryRequest } from './delivery-request.js';
import type { SendRequest, SendResult } from './sender.js';

/** The part of the HTTP sender an attempt uses. */
export interface DeliverySender {
  /** Sends once; never throws, a failure is a result. */
  send(request: SendRequest): Promise<SendResult>;
}

/** What every attempt of one dispatcher shares. */
export interface AttemptServices {
  context: AppContext;
  sender: DeliverySender;
  /** The lease owner id of the dispatcher. */
  owner: string;
  /** Jitter source for the retry schedule. */
  random: () => number;
}

interface Target {
  endpoint: WebhookEndpointTable | undefined;
  event: Pick<EventTable, 'id' | 'type' | 'data' | 'created_at'> | undefined;
}

/**
 * Attempts `delivery` and records the outcome. Never throws: a failure to read or write the
 * database is logged, and the delivery comes back when its lease runs out.
 */
export async function attemptDelivery(
  services: AttemptServices,
  delivery: DeliveryRow,
): Promise<void> {
  const { context, owner } = services;
  const log = context.logger.child({
    endpointId: delivery.endpoint_id,
    deliveryId: delivery.id,
    attempt: delivery.attempt_count + 1,
  });

  try {
    const { endpoint, event } = await loadTarget(context.database, delivery);
    if (endpoint?.enabled !== 1 || !event) {
      // Sending to an endpoint that was switched off would defeat the switch; recovery can
      // queue what it missed once it is enabled again.
      if (await failUnsent(context, delivery.id, owner)) {
        log.debug('delivery failed without sending: its endpoint is deleted or disabled');
      }
      return;
    }

    const attemptedAt = context.clock.now();
    const request = buildDeliveryRequest(event, endpoint, attemptedAt);
    const result = await services.sender.send(request);

    const verdict = await recordAttempt(
      context,
      { deliveryId: delivery.id, owner, attemptedAt, requestHeaders: request.headers, result },
      services.random,
    );
    if (!verdict) {
      log.warn('the lease ran out before the attempt was recorded; another dispatcher owns it');
      return;
    }
    context.metrics.attemptFinished(verdict.outcome, result.durationMs);
    log.debug(
      {
        statusCode: result.statusCode,
        errorKind: result.errorKind,
        error: result.errorMessage,
        durationMs: result.durationMs,
        outcome: verdict.outcome,
        nextAttemptAt: verdict.nextAttemptAt,
      },
      'webhook attempt finished',
    );
    if (verdict.disabledReason !== null) {
      log.info({ reason: verdict.disabledReason }, 'webhook endpoint disabled');
    }
  } catch (error) {
    log.warn(
      { err: toError(error) },
      'webhook attempt could not be completed; the delivery is retried when its lease runs out',
    );
  }
}

async function loadTarget(database: Database, delivery: DeliveryRow): Promise<Target> {
  const [endpoint, event] = await Promise.all([
    database.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', delivery.endpoint_id)
      .executeTakeFirst(),
    database.db
      .selectFrom('events')
      .select(['id', 'type', 'data', 'created_at'])
      .where('id', '=', delivery.event_id)
      .executeTakeFirst(),
  ]);
  return { endpoint, event };
}
