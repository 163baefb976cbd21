/**
 * Claiming due deliveries with a lease. A claim stamps the delivery with its dispatcher's id
 * and an expiry; a dispatcher that crashes simply lets the lease run out, and the delivery is
 * due again for whoever claims next. Nothing has to notice the crash.
 *
 * On PostgreSQL several dispatcher processes claim at once: `FOR UPDATE SKIP LOCKED` lets each
 * take different rows without waiting on the others. SQLite has one writer at a time, which
 * serialises claims without it.
 *
 * The per-endpoint limit holds across processes too. On PostgreSQL a claim takes, for each
 * endpoint it wants work of, a transaction-level advisory lock and only then counts that
 * endpoint's live leases, in a statement that starts after the locks are held and so sees every
 * claim committed before it. Two claims therefore never count the same endpoint at once; the
 * second waits the few milliseconds until the first commits. (Skipping a locked endpoint
 * instead of waiting was tried: a dispatcher that found every endpoint taken claimed nothing
 * and slept until the next wake-up, idle while work was due.)
 */
import { type Selectable, sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { Database } from '../db/database.js';
import { placeholder, placeholderList, prepareQuery } from '../db/prepared-query.js';
import type { DeliveryTable, EventTable, WebhookEndpointTable } from '../db/schema.js';
import { transactWithoutFlushWait, type WriteContext } from '../db/transaction.js';

/** A delivery row as the dispatcher holds it while it works on it. */
export type DeliveryRow = Selectable<DeliveryTable>;

/** Who claims, how much, and for how long. */
export interface ClaimRequest {
  /** The claiming dispatcher's id, written to `lease_owner`. */
  owner: string;
  /** At most this many deliveries. */
  limit: number;
  /** At most this many leased deliveries per endpoint, counting those already in flight. */
  perEndpointLimit: number;
  /** The same for an endpoint that is failing; the smaller of the two limits applies. */
  failingEndpointLimit: number;
  leaseMs: number;
}

type ClaimContext = Pick<AppContext, 'database' | 'clock'>;

/**
 * What a delivery is sent: its event and its endpoint as they are at the claim, so a URL
 * change, a rotation or a disable made while the delivery waited takes effect at once. Either is
 * undefined when it no longer exists.
 */
export interface DeliveryTarget {
  endpoint: WebhookEndpointTable | undefined;
  event: Pick<EventTable, 'id' | 'type' | 'data' | 'created_at'> | undefined;
}

/** A leased delivery with what it is sent: its event and its endpoint as the claim read them. */
export interface ClaimedDelivery {
  delivery: DeliveryRow;
  target: DeliveryTarget;
}

/**
 * Leases up to `limit` due deliveries, oldest due first, leaving out endpoints that already
 * have their limit of attempts in flight: `perEndpointLimit`, or `failingEndpointLimit` while
 * the endpoint is failing. A slow or dead receiver therefore holds only its own share of the
 * dispatcher and never delays the others, and once its attempts fail it keeps only the few
 * slots that notice its recovery; its first success gives it its full share again.
 *
 * The claim reads what it sends in the same statements that choose the work: each round trip
 * to a database server costs the dispatcher more CPU than the statement itself, so the due
 * deliveries come with their events, and the endpoints with their live lease counts.
 */
export async function claimDueDeliveries(
  context: ClaimContext,
  request: ClaimRequest,
): Promise<ClaimedDelivery[]> {
  if (request.limit <= 0) return [];
  const now = context.clock.now();
  const failingLimit = Math.min(request.failingEndpointLimit, request.perEndpointLimit);

  return transactWithoutFlushWait(context.database, async (write) => {
    const candidates = await dueDeliveries.rows(write, 0, [
      now,
      request.limit,
      request.perEndpointLimit,
      failingLimit,
    ]);
    if (candidates.length === 0) return [];
    const wanted = [...new Set(candidates.map((row) => row.endpoint_id))];
    // Every claim takes its locks in the same order (by key), so two claims never wait on each
    // other in a circle.
    if (write.dialect === 'postgres') await lockEndpointClaims.execute(write, 0, [wanted]);
    const endpoints = await endpointsWithLeases(write, now, wanted);
    const limitOf = (endpoint: WebhookEndpointTable | undefined) =>
      endpoint?.failing_since == null ? request.perEndpointLimit : failingLimit;
    const chosen = withinEndpointLimit(candidates, endpoints, limitOf);
    if (chosen.length === 0) return [];

    const leaseExpiresAt = now + request.leaseMs;
    const ids = chosen.map((row) => row.id);
    await leaseDeliveries.execute(write, ids.length, [request.owner, leaseExpiresAt, ...ids]);
    return chosen.map((row) => claimed(row, endpoints, request.owner, leaseExpiresAt));
  });
}

/** A due delivery as the claim reads it: the row, and its event's body when the event exists. */
type DueRow = DeliveryRow & { event_data: string | null; event_created_at: number | null };

/** An endpoint with the number of its live leases, across every dispatcher. */
interface LeasedEndpoint {
  endpoint: WebhookEndpointTable | undefined;
  leased: number;
}

function claimed(
  row: DueRow,
  endpoints: Map<string, LeasedEndpoint>,
  owner: string,
  leaseExpiresAt: number,
): ClaimedDelivery {
  const { event_data: data, event_created_at: createdAt, ...delivery } = row;
  const event =
    data === null || createdAt === null
      ? undefined
      : { id: delivery.event_id, type: delivery.event_type, data, created_at: createdAt };
  return {
    delivery: { ...delivery, lease_owner: owner, lease_expires_at: leaseExpiresAt },
    target: { endpoint: endpoints.get(delivery.endpoint_id)?.endpoint, event },
  };
}

/** The advisory lock namespace of per-endpoint claims ("LYCD" in ASCII). */
export const ENDPOINT_CLAIM_LOCK = 0x4c594344;

/**
 * Up to `limit` (argument 1) deliveries due at `now` (0) and not leased, with their events,
 * leaving out endpoints that already have their limit of live leases: argument 2, or argument
 * 3 for an endpoint that is failing. Oldest due first, in the order of the due index: ties
 * within a millisecond are not sorted further, which would read every delivery of that
 * millisecond before answering. On PostgreSQL another claim may be committing leases at this
 * moment, so the count here only narrows the candidates; endpointsWithLeases gives the exact
 * one once the endpoints are locked.
 *
 * The events are joined to the chosen deliveries only: joined inside, a plan that reads every
 * due delivery and sorts them (PostgreSQL picks one while a table's statistics still describe
 * it as small) would look up an event for each of them.
 */
const dueDeliveries = prepareQuery<DueRow>((db, param, _size, dialect) => {
  const now = param<number>(0);
  let due = db
    .selectFrom('deliveries')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]))
    .where('endpoint_id', 'not in', (eb) =>
      eb
        .selectFrom('deliveries as l')
        .select('l.endpoint_id')
        .where('l.status', '=', 'pending')
        .where('l.lease_expires_at', '>', now)
        .groupBy('l.endpoint_id')
        .having(
          sql`count(*)`,
          '>=',
          sql`case when exists (
            select 1 from webhook_endpoints as f
            where f.id = l.endpoint_id and f.failing_since is not null
          ) then cast(${param(3)} as integer) else cast(${param(2)} as integer) end`,
        ),
    )
    .orderBy('next_attempt_at')
    .limit(param<number>(1));
  if (dialect === 'postgres') due = due.forUpdate().skipLocked();
  return db
    .selectFrom(due.as('d'))
    .leftJoin('events as ev', 'ev.id', 'd.event_id')
    .selectAll('d')
    .select(['ev.data as event_data', 'ev.created_at as event_created_at'])
    .orderBy('d.next_attempt_at');
});

/** Takes the claim lock of every endpoint in the list (argument 0), in the order of their keys. */
const lockEndpointClaims = prepareQuery(
  () => sql`
    select pg_advisory_xact_lock(${ENDPOINT_CLAIM_LOCK}, key) from (
      select hashtext(endpoint_id) as key
      from unnest(${placeholder<string[]>(0)}::text[]) as wanted(endpoint_id)
      order by key
    ) as ordered`,
);

/**
 * The endpoints `endpointIds` as they are now, each with its live leases. On PostgreSQL this
 * runs after the claim locks are held, in a statement that starts after them and so sees every
 * claim committed before. A hash collision between two endpoints only makes them share a lock.
 */
async function endpointsWithLeases(
  write: WriteContext,
  now: number,
  endpointIds: string[],
): Promise<Map<string, LeasedEndpoint>> {
  const rows = await leasedEndpoints.rows(write, endpointIds.length, [now, ...endpointIds]);
  const byId = new Map(
    rows.map(({ leased, ...endpoint }) => [endpoint.id, { endpoint, leased: Number(leased) }]),
  );
  // A deleted endpoint is still counted: its deliveries are claimed to be failed unsent.
  return new Map(endpointIds.map((id) => [id, byId.get(id) ?? { endpoint: undefined, leased: 0 }]));
}

/** The `size` endpoints listed from argument 1, with their leases live at `now` (0). */
const leasedEndpoints = prepareQuery<WebhookEndpointTable & { leased: number }>(
  (_db, param, size) => {
    const ids = () => sql.join(placeholderList<string>(1, size));
    return sql`
      select e.*, coalesce(l.leased, 0) as leased
      from webhook_endpoints as e
      left join (
        select endpoint_id, count(*) as leased from deliveries
        where status = 'pending' and lease_expires_at > ${param(0)} and endpoint_id in (${ids()})
        group by endpoint_id
      ) as l on l.endpoint_id = e.id
      where e.id in (${ids()})`;
  },
);

/** Leases the `size` deliveries listed from argument 2 to owner (0) until (1). */
const leaseDeliveries = prepareQuery((db, param, size) =>
  db
    .updateTable('deliveries')
    .set({ lease_owner: param<string>(0), lease_expires_at: param<number>(1) })
    .where('id', 'in', placeholderList<string>(2, size)),
);

/** Keeps candidates in order while no endpoint goes over its limit. */
function withinEndpointLimit(
  candidates: DueRow[],
  endpoints: Map<string, LeasedEndpoint>,
  limitOf: (endpoint: WebhookEndpointTable | undefined) => number,
): DueRow[] {
  const counts = new Map([...endpoints].map(([id, { leased }]) => [id, leased]));
  return candidates.filter((row) => {
    const count = counts.get(row.endpoint_id) ?? 0;
    if (count >= limitOf(endpoints.get(row.endpoint_id)?.endpoint)) return false;
    counts.set(row.endpoint_id, count + 1);
    return true;
  });
}

/**
 * Hands back every pending delivery `owner` still holds, so another dispatcher can take it at
 * once instead of waiting for the lease to run out. Returns how many were released.
 */
export async function releaseLeases(database: Database, owner: string): Promise<number> {
  const result = await database.db
    .updateTable('deliveries')
    .set({ lease_owner: null, lease_expires_at: null })
    .where('status', '=', 'pending')
    // Leased rows only: with deliveries_lease (status, lease_expires_at) this reads what is
    // leased instead of walking every pending delivery of a large backlog.
    .where('lease_expires_at', 'is not', null)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** When the earliest pending delivery that is not yet due becomes due; null when none waits. */
export async function nextDueAt(database: Database, now: number): Promise<number | null> {
  const [row] = await earliestNotDue.rows(database, 0, [now]);
  return row?.next == null ? null : Number(row.next);
}

const earliestNotDue = prepareQuery((db, param) =>
  db
    .selectFrom('deliveries')
    .select(sql<number | null>`min(next_attempt_at)`.as('next'))
    .where('status', '=', 'pending')
    .where('next_attempt_at', '>', param<number>(0)),
);
