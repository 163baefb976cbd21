/**
 * The endpoints that have pending deliveries, read from the due index (status, endpoint_id,
 * next_attempt_at) one seek per endpoint: each step looks up the first endpoint after the one
 * before. Neither database skips through an index this way on its own; a recursive query does it
 * on both, and costs as many index seeks as there are endpoints with work queued, however many
 * deliveries each has waiting.
 *
 * Queries that need the deliveries in time order across endpoints (the claim, the next retry,
 * the due count) go through this list and read the head of each endpoint's queue.
 */
import { type RawBuilder, sql } from 'kysely';

/**
 * The common table expression `queued (endpoint_id)`, for a `with recursive` list. Its last row
 * is a null that ends the walk; readers filter it out.
 */
export const QUEUED_ENDPOINTS = `queued (endpoint_id) as (
    select min(endpoint_id) from deliveries
    where status = 'pending' and next_attempt_at is not null
    union all
    select (
      select min(later.endpoint_id) from deliveries as later
      where later.status = 'pending' and later.next_attempt_at is not null
        and later.endpoint_id > queued.endpoint_id
    )
    from queued where queued.endpoint_id is not null
  )`;

/** QUEUED_ENDPOINTS for a Kysely `sql` template. */
export function queuedEndpoints(): RawBuilder<unknown> {
  return sql.raw(QUEUED_ENDPOINTS);
}
