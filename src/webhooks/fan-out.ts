/**
 * Fan-out: one pending delivery per enabled endpoint that subscribed to the event's type,
 * written in the event's own transaction (by the outbox, see src/events/outbox.ts). A committed
 * event therefore always has its deliveries, whatever crashes afterwards.
 */
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { prepareQuery } from '../db/prepared-query.js';
import type { DeliveryTable } from '../db/schema.js';
import type { WriteContext } from '../db/transaction.js';
import type { EventEnvelope } from '../events/envelope.js';
import { DELIVERY_CHANNEL } from './delivery-signal.js';
import { endpointWants } from './event-filter.js';

/**
 * The deliveries `event` needs: one per enabled endpoint that subscribed to its type, or, when
 * `onlyEndpointId` is given, one to that endpoint alone whatever types it subscribed to (a test
 * event goes where it was asked to). Read in `write`'s transaction; nothing is written.
 */
export async function deliveriesFor(
  context: Pick<AppContext, 'clock' | 'ids'>,
  write: WriteContext,
  event: Pick<EventEnvelope, 'id' | 'type'>,
  onlyEndpointId?: string,
): Promise<DeliveryTable[]> {
  const endpoints = onlyEndpointId
    ? await enabledEndpoints.rows(write, 1, [onlyEndpointId])
    : await enabledEndpoints.rows(write, 0, []);

  const now = context.clock.now();
  return endpoints
    .filter(
      (endpoint) =>
        onlyEndpointId !== undefined ||
        endpointWants(JSON.parse(endpoint.event_types) as string[], event.type),
    )
    .map((endpoint) => pendingDeliveryRow(context.ids.next('delivery'), endpoint.id, event, now));
}

/** The enabled endpoints and what they subscribed to; with `size` 1, only the one listed. */
const enabledEndpoints = prepareQuery((db, param, size) => {
  const query = db
    .selectFrom('webhook_endpoints')
    .select(['id', 'event_types'])
    .where('enabled', '=', 1);
  return size === 1 ? query.where('id', '=', param<string>(0)) : query;
});

/** A new delivery of `event` to one endpoint, due at once, its retry window starting now. */
export function pendingDeliveryRow(
  id: string,
  endpointId: string,
  event: Pick<EventEnvelope, 'id' | 'type'>,
  now: number,
): DeliveryTable {
  return {
    id,
    endpoint_id: endpointId,
    event_id: event.id,
    event_type: event.type,
    status: 'pending',
    attempt_count: 0,
    next_attempt_at: now,
    lease_owner: null,
    lease_expires_at: null,
    last_attempt_at: null,
    retry_origin_at: now,
    retry_attempt_base: 0,
    created_at: now,
    updated_at: now,
  };
}

/**
 * Wakes the dispatchers once `write` commits: in this process through the delivery signal and,
 * on PostgreSQL, in every process through a NOTIFY that is only delivered if the commit happens.
 * Call it from any transaction that makes a delivery due.
 */
export async function announceDeliveries(
  context: Pick<AppContext, 'deliverySignal'>,
  write: WriteContext,
): Promise<void> {
  if (write.dialect === 'postgres') {
    await sql`select pg_notify(${DELIVERY_CHANNEL}, '')`.execute(write.trx);
  }
  write.afterCommit(() => context.deliverySignal.notify());
}
