/**
 * Choosing the deliveries a claim takes, on SQLite: the head of each endpoint's queue, as many
 * deliveries as the endpoint has slots free, and of those the oldest due.
 *
 * SQLite runs in the process, so a statement costs no round trip, only its own work. One
 * statement that did all of it (ranking each endpoint's head against its free slots in a
 * window) built temporary tables on every run: the claim's reads took 0.42 ms that way and take
 * 0.19 ms as the plain statements below (a claim of eight beside five endpoints, timed per
 * statement). They run at once on the connection, inside the claim's transaction, which holds
 * it: the live leases, the endpoints with work queued, each open endpoint's head from the index
 * alone, then the rows chosen, read by rowid with their events.
 *
 * SQLite has one writer, so the lease counts read here are exact for the rest of the claim.
 */
import type { WebhookEndpointTable } from '../db/schema.js';
import type { CachedSqlite } from '../db/sqlite/statement-cache.js';
import type { DueChoice, DueRow, LeasedEndpoint } from './claim.js';
import { QUEUED_ENDPOINTS } from './queued-endpoints.js';

/** The endpoints with pending deliveries, as they are now; null columns for one deleted. */
const QUEUED_WITH_ENDPOINTS = `with recursive ${QUEUED_ENDPOINTS}
  select queued.endpoint_id as queued_id, e.*
  from queued left join webhook_endpoints as e on e.id = queued.endpoint_id
  where queued.endpoint_id is not null`;

/**
 * The live leases of each endpoint that has any at now (the argument). Joining this to the
 * endpoints in one statement cost as much again as the two statements, for the temporary index
 * SQLite builds on the grouped rows each time.
 */
const LIVE_LEASES = `select endpoint_id, count(*) as live from deliveries
  where status = 'pending' and lease_expires_at > ?
  group by endpoint_id`;

/** An endpoint's first due deliveries, from the due index alone: (endpoint, now, now, how many). */
const ENDPOINT_HEAD = `select rowid as head, next_attempt_at as due_at from deliveries
  where status = 'pending' and endpoint_id = ? and next_attempt_at <= ?
    and (lease_expires_at is null or lease_expires_at <= ?)
  order by next_attempt_at
  limit ?`;

/** The texts of chosenRows by size, made once each. */
const chosenRowsTexts: string[] = [];

/** The deliveries with the rowids listed, with their events, for `size` of them. */
function chosenRows(size: number): string {
  const known = chosenRowsTexts[size];
  if (known) return known;
  const heads = Array.from({ length: size }, () => '?').join(', ');
  const text = `select d.*, ev.data as event_data, ev.created_at as event_created_at
    from deliveries as d
    left join events as ev on ev.id = d.event_id
    where d.rowid in (${heads})
    order by d.next_attempt_at`;
  chosenRowsTexts[size] = text;
  return text;
}

/** Row of QUEUED_WITH_ENDPOINTS: the endpoint's columns are null when it no longer exists. */
type QueuedRow = { queued_id: string } & Partial<WebhookEndpointTable>;

/**
 * Up to `limit` deliveries due at `now` and not leased, oldest due first, none from an endpoint
 * beyond its limit (`limitOf`, counting its live leases).
 */
export function chooseDueOnSqlite(
  sqlite: CachedSqlite,
  now: number,
  limit: number,
  limitOf: (endpoint: WebhookEndpointTable | undefined) => number,
): DueChoice {
  const endpoints = new Map<string, LeasedEndpoint>();
  const heads: Array<{ head: number; due_at: number }> = [];
  const headOf = sqlite.prepare(ENDPOINT_HEAD);
  const leases = sqlite.prepare(LIVE_LEASES).all([now]) as Array<{
    endpoint_id: string;
    live: number;
  }>;
  const liveOf = new Map(leases.map((row) => [row.endpoint_id, row.live]));
  for (const row of sqlite.prepare(QUEUED_WITH_ENDPOINTS).all([]) as QueuedRow[]) {
    const { queued_id: id, ...columns } = row;
    const live = liveOf.get(id) ?? 0;
    // A deleted endpoint is still counted: its deliveries are claimed to be failed unsent.
    const endpoint = columns.id == null ? undefined : (columns as WebhookEndpointTable);
    endpoints.set(id, { endpoint, leased: live });
    const free = Math.min(limitOf(endpoint) - live, limit);
    if (free > 0) heads.push(...(headOf.all([id, now, now, free]) as typeof heads));
  }
  if (heads.length === 0) return { chosen: [], endpoints };

  const taken = heads
    .sort((a, b) => a.due_at - b.due_at)
    .slice(0, limit)
    .map((row) => row.head);
  const chosen = sqlite.prepare(chosenRows(taken.length)).all(taken) as DueRow[];
  return { chosen, endpoints };
}
