/**
 * What claimed deliveries are sent: their events and their endpoints as they are now, read for
 * a whole claim in two queries rather than two per delivery.
 */
import type { Database } from '../db/database.js';
import { placeholderList, prepareQuery } from '../db/prepared-query.js';
import type { EventTable, WebhookEndpointTable } from '../db/schema.js';
import type { DeliveryRow } from './claim.js';

/** One delivery's event and endpoint; either is undefined when it no longer exists. */
export interface DeliveryTarget {
  endpoint: WebhookEndpointTable | undefined;
  event: Pick<EventTable, 'id' | 'type' | 'data' | 'created_at'> | undefined;
}

/** The target of every delivery in `deliveries`, by delivery id. */
export async function loadTargets(
  database: Database,
  deliveries: readonly DeliveryRow[],
): Promise<Map<string, DeliveryTarget>> {
  if (deliveries.length === 0) return new Map();
  const endpointIds = [...new Set(deliveries.map((delivery) => delivery.endpoint_id))];
  const eventIds = [...new Set(deliveries.map((delivery) => delivery.event_id))];
  const [endpoints, events] = await Promise.all([
    endpointsById.rows(database, endpointIds.length, endpointIds),
    eventsById.rows(database, eventIds.length, eventIds),
  ]);

  const endpointById = new Map(endpoints.map((row) => [row.id, row]));
  const eventById = new Map(events.map((row) => [row.id, row]));
  return new Map(
    deliveries.map((delivery) => [
      delivery.id,
      { endpoint: endpointById.get(delivery.endpoint_id), event: eventById.get(delivery.event_id) },
    ]),
  );
}

/** The `size` endpoints whose ids are the arguments. */
const endpointsById = prepareQuery((db, _param, size) =>
  db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', 'in', placeholderList<string>(0, size)),
);

/** The `size` events whose ids are the arguments, with what their envelopes need. */
const eventsById = prepareQuery((db, _param, size) =>
  db
    .selectFrom('events')
    .select(['id', 'type', 'data', 'created_at'])
    .where('id', 'in', placeholderList<string>(0, size)),
);
