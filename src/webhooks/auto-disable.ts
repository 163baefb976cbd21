/**
 * Switching off an endpoint the dispatcher gave up on: the receiver said 410 Gone, or it has
 * not accepted a single delivery for `disableAfterMs`. Disabling is announced with a
 * `webhook.endpoint.disabled` event written in the same transaction, so every other endpoint
 * subscribed to it hears about it whatever happens afterwards.
 */
import type { AppContext } from '../context.js';
import type { WriteContext } from '../db/transaction.js';
import { recordEvent } from '../events/outbox.js';
import { toIso } from '../shared/clock.js';

/** The reason given when a receiver answers 410 Gone. */
export const GONE_REASON = 'the receiver answered 410 Gone';

/** The reason given when an endpoint failed for too long; says what the operator does next. */
export function failingReason(failingSince: number, disableAfterMs: number): string {
  return (
    `no successful delivery for ${describeDuration(disableAfterMs)} ` +
    `(since ${toIso(failingSince)}); fix the receiver, enable the endpoint and recover what it missed`
  );
}

/** Disables `endpointId` with `reason` and records the event, inside `write`'s transaction. */
export async function disableEndpoint(
  context: Pick<AppContext, 'clock' | 'ids' | 'deliverySignal'>,
  write: WriteContext,
  endpointId: string,
  reason: string,
): Promise<void> {
  const now = context.clock.now();
  await write.trx
    .updateTable('webhook_endpoints')
    .set({ enabled: 0, disabled_reason: reason, disabled_at: now, updated_at: now })
    .where('id', '=', endpointId)
    .execute();
  // After the update, so fan-out no longer sees the endpoint as enabled and does not send it
  // the news of its own disabling.
  await recordEvent(context, write, 'webhook.endpoint.disabled', { endpointId, reason });
}

/** `86400000` → `24 hours`: the largest whole unit up to hours, as operators talk of windows. */
export function describeDuration(ms: number): string {
  const units: Array<[string, number]> = [
    ['hour', 3_600_000],
    ['minute', 60_000],
    ['second', 1000],
  ];
  for (const [name, size] of units) {
    if (ms % size === 0) {
      const count = ms / size;
      return `${count} ${name}${count === 1 ? '' : 's'}`;
    }
  }
  return `${ms} ms`;
}
