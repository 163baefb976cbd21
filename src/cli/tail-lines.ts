/**
 * How `lyceum tail` prints: one line per event or delivery attempt, readable in a terminal, or
 * one JSON object per line with `--json`.
 */
import type { DeliveriesGetResponse, EventEnvelope } from '../../packages/sdk/src/index.js';

type Attempt = DeliveriesGetResponse['attempts'][number];

/** `time  type  id  key=value …`, or the envelope as JSON. */
export function eventLine(event: EventEnvelope, json: boolean): string {
  if (json) return JSON.stringify(event);
  const data = Object.entries(event.data)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${event.timestamp}  ${event.type.padEnd(25)} ${event.id}  ${data}`;
}

/** `time  attempt N  delivery → endpoint  outcome`, or one JSON object. */
export function attemptLine(
  delivery: DeliveriesGetResponse,
  attempt: Attempt,
  number: number,
  json: boolean,
): string {
  if (json) {
    return JSON.stringify({
      kind: 'delivery.attempt',
      deliveryId: delivery.id,
      endpointId: delivery.endpointId,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      attempt: number,
      attemptedAt: attempt.attemptedAt,
      statusCode: attempt.statusCode,
      errorKind: attempt.errorKind,
      durationMs: attempt.durationMs,
      deliveryStatus: delivery.status,
    });
  }
  const outcome =
    attempt.statusCode === null
      ? `no answer (${attempt.errorKind ?? 'error'})`
      : attempt.statusCode;
  return `${attempt.attemptedAt}  delivery #${number} ${delivery.id} ${delivery.eventType} ${delivery.eventId} → ${delivery.endpointId}  ${outcome} in ${attempt.durationMs} ms  [${delivery.status}]`;
}
