/**
 * The delivery log across every endpoint, newest first. The REST API lists one endpoint's
 * deliveries; the console's Deliveries page also answers "what failed anywhere?".
 */
import { DEFAULT_LIMIT, type Page } from '../api/pagination.js';
import type { AppContext } from '../context.js';
import type { DeliveryListQuery } from '../webhooks/deliveries.js';
import { decodeIdCursor, pageById } from '../webhooks/endpoints.js';
import { type DeliveryView, viewDelivery } from '../webhooks/views.js';

export interface DeliveryLogQuery extends DeliveryListQuery {
  /** Only this endpoint's deliveries. */
  endpointId?: string;
}

/** One page of deliveries matching every filter given, in the pages of the REST list. */
export async function listAllDeliveries(
  context: Pick<AppContext, 'database'>,
  query: DeliveryLogQuery,
): Promise<Page<DeliveryView>> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  let select = context.database.db.selectFrom('deliveries').selectAll();
  if (query.endpointId !== undefined) select = select.where('endpoint_id', '=', query.endpointId);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  if (query.eventType !== undefined) select = select.where('event_type', '=', query.eventType);
  if (query.cursor !== undefined) select = select.where('id', '<', decodeIdCursor(query.cursor));
  const rows = await select
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return pageById(rows, limit, viewDelivery);
}
