/**
 * One attempt of one claimed delivery: sign and send the event to the endpoint as it was read
 * right after the claim, then record what happened. The endpoint is read when the work is
 * claimed, just before sending, not when the delivery was queued, so a URL change, a rotation
 * or a disable made while the delivery waited takes effect at once.
 */
import type { AppContext } from '../context.js';
import { toError } from '../shared/errors.js';
import type { AttemptRecorder } from './attempt-recorder.js';
import { failUnsent } from './attempt-result.js';
import type { DeliveryRow, DeliveryTarget } from './claim.js';
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
  /** Writes finished attempts, in batches. */
  recorder: AttemptRecorder;
}

/**
 * Attempts `delivery` to `target` and records the outcome. Never throws: a failure to write
 * the database is logged, and the delivery comes back when its lease runs out.
 */
export async function attemptDelivery(
  services: AttemptServices,
  delivery: DeliveryRow,
  target: DeliveryTarget,
): Promise<void> {
  const { context, owner } = services;
  // Built only when there is something to say: most attempts log nothing at the usual level.
  const log = () =>
    context.logger.child({
      endpointId: delivery.endpoint_id,
      deliveryId: delivery.id,
      attempt: delivery.attempt_count + 1,
    });

  try {
    const { endpoint, event } = target;
    if (endpoint?.enabled !== 1 || !event) {
      // Sending to an endpoint that was switched off would defeat the switch; recovery can
      // queue what it missed once it is enabled again.
      if (await failUnsent(context, delivery.id, owner)) {
        log().debug('delivery failed without sending: its endpoint is deleted or disabled');
      }
      return;
    }

    const attemptedAt = context.clock.now();
    const request = buildDeliveryRequest(event, endpoint, attemptedAt);
    const result = await services.sender.send(request);

    const verdict = await services.recorder.record({
      deliveryId: delivery.id,
      owner,
      attemptedAt,
      requestHeaders: request.headers,
      result,
    });
    if (!verdict) {
      log().warn('the lease ran out before the attempt was recorded; another dispatcher owns it');
      return;
    }
    context.metrics.attemptFinished(verdict.outcome, result.durationMs);
    if (context.logger.isLevelEnabled('debug')) {
      log().debug(
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
    }
    if (verdict.disabledReason !== null) {
      log().info({ reason: verdict.disabledReason }, 'webhook endpoint disabled');
    }
  } catch (error) {
    log().warn(
      { err: toError(error) },
      'webhook attempt could not be completed; the delivery is retried when its lease runs out',
    );
  }
}
