/**
 * One event and what became of it: its envelope (exactly the body every webhook of it carried)
 * and its delivery to each endpoint. The REST API reads deliveries per endpoint; an operator
 * asking "who got this event?" needs them per event.
 */
import { notFound } from '../api/problem.js';
import type { AppContext } from '../context.js';
import { type EventEnvelope, envelopeFromRow } from '../events/envelope.js';
import { type DeliveryView, viewDelivery } from '../webhooks/views.js';

/** A delivery with the URL of its endpoint; null once the endpoint was deleted. */
export interface EventDeliveryView extends DeliveryView {
  endpointUrl: string | null;
}

export interface EventDeliveries {
  event: EventEnvelope;
  data: EventDeliveryView[];
}

/**
 * Reads event `id` and its deliveries, oldest first. An event has at most one delivery per
 * endpoint (a unique index says so), so the list is as long as the endpoints that wanted it
 * and needs no pages.
 */
export async function readEventDeliveries(
  context: Pick<AppContext, 'database'>,
  id: string,
): Promise<EventDeliveries> {
  const { db } = context.database;
  const event = await db
    .selectFrom('events')
    .select(['id', 'type', 'data', 'created_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!event) throw notFound('Event', id);

  const rows = await db
    .selectFrom('deliveries')
    .leftJoin('webhook_endpoints', 'webhook_endpoints.id', 'deliveries.endpoint_id')
    .selectAll('deliveries')
    .select('webhook_endpoints.url as endpoint_url')
    .where('deliveries.event_id', '=', id)
    .orderBy('deliveries.id')
    .execute();

  return {
    event: envelopeFromRow(event),
    data: rows.map((row) => ({ ...viewDelivery(row), endpointUrl: row.endpoint_url })),
  };
}
