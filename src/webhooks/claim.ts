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
import type { DeliveryTable } from '../db/schema.js';
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
 * Leases up to `limit` due deliveries, oldest due first, leaving out endpoints that already
 * have their limit of attempts in flight: `perEndpointLimit`, or `failingEndpointLimit` while
 * the endpoint is failing. A slow or dead receiver therefore holds only its own share of the
 * dispatcher and never delays the others, and once its attempts fail it keeps only the few
 * slots that notice its recovery; its first success gives it its full share again.
 */
export async function claimDueDeliveries(
  context: ClaimContext,
  request: ClaimRequest,
): Promise<DeliveryRow[]> {
  if (request.limit <= 0) return [];
  const now = context.clock.now();

  return transactWithoutFlushWait(context.database, async (write) => {
    const limitOf = await endpointLimits(write, request);
    const inFlight = await leasedPerEndpoint(write, now);
    const candidates = await selectDue(write, now, request.limit, inFlight, limitOf);
    const counts =
      write.dialect === 'postgres' ? await lockAndCountEndpoints(write, candidates, now) : inFlight;
    const chosen = withinEndpointLimit(candidates, counts, limitOf);
    if (chosen.length === 0) return [];

    const leaseExpiresAt = now + request.leaseMs;
    const ids = chosen.map((delivery) => delivery.id);
    await leaseDeliveries.execute(write, ids.length, [request.owner, leaseExpiresAt, ...ids]);
    return chosen.map((delivery) => ({
      ...delivery,
      lease_owner: request.owner,
      lease_expires_at: leaseExpiresAt,
    }));
  });
}

/** How many attempts one endpoint may have in flight, by endpoint id. */
type EndpointLimits = (endpointId: string) => number;

/**
 * The limit of each endpoint: the smaller one for endpoints that are failing, which the
 * partial index on `failing_since` finds without reading the healthy ones.
 */
async function endpointLimits(write: WriteContext, request: ClaimRequest): Promise<EndpointLimits> {
  const { perEndpointLimit } = request;
  const failingLimit = Math.min(request.failingEndpointLimit, perEndpointLimit);
  if (failingLimit === perEndpointLimit) return () => perEndpointLimit;
  const rows = await failingEndpoints.rows(write, 0, []);
  if (rows.length === 0) return () => perEndpointLimit;
  const failing = new Set(rows.map((row) => row.id));
  return (endpointId) => (failing.has(endpointId) ? failingLimit : perEndpointLimit);
}

/** The advisory lock namespace of per-endpoint claims ("LYCD" in ASCII). */
export const ENDPOINT_CLAIM_LOCK = 0x4c594344;

/**
 * Attempts in flight per endpoint, across every dispatcher sharing the database. On PostgreSQL
 * another claim may be committing more at this moment, so this count only narrows the
 * candidates; lockAndCountEndpoints gives the exact one.
 */
async function leasedPerEndpoint(
  write: WriteContext,
  now: number,
  endpointIds: string[] = [],
): Promise<Map<string, number>> {
  const rows = await leasedCounts.rows(write, endpointIds.length, [now, ...endpointIds]);
  return new Map(rows.map((row) => [row.endpoint_id, Number(row.leased)]));
}

/**
 * Live leases per endpoint; with a list of `size` endpoint ids (arguments 1 to size), of those
 * endpoints only.
 */
const leasedCounts = prepareQuery((db, param, size) => {
  let query = db
    .selectFrom('deliveries')
    .select(['endpoint_id', sql<number>`count(*)`.as('leased')])
    .where('lease_expires_at', '>', param<number>(0))
    .where('status', '=', 'pending');
  if (size > 0) query = query.where('endpoint_id', 'in', placeholderList<string>(1, size));
  return query.groupBy('endpoint_id');
});

const failingEndpoints = prepareQuery((db) =>
  db.selectFrom('webhook_endpoints').select('id').where('failing_since', 'is not', null),
);

/** Leases the `size` deliveries listed from argument 2 to owner (0) until (1). */
const leaseDeliveries = prepareQuery((db, param, size) =>
  db
    .updateTable('deliveries')
    .set({ lease_owner: param<string>(0), lease_expires_at: param<number>(1) })
    .where('id', 'in', placeholderList<string>(2, size)),
);

/**
 * Locks the endpoints of `candidates`, waiting for a claim that holds one to commit, and then
 * counts their live leases. A hash collision between two endpoints only makes them share a
 * lock.
 */
async function lockAndCountEndpoints(
  write: WriteContext,
  candidates: DeliveryRow[],
  now: number,
): Promise<Map<string, number>> {
  const wanted = [...new Set(candidates.map((delivery) => delivery.endpoint_id))];
  if (wanted.length === 0) return new Map();
  // Every claim takes its locks in the same order (by key), so two claims never wait on each
  // other in a circle.
  await lockEndpointClaims.execute(write, 0, [wanted]);

  const leased = await leasedPerEndpoint(write, now, wanted);
  return new Map(wanted.map((id) => [id, leased.get(id) ?? 0]));
}

/** Takes the claim lock of every endpoint in the list (argument 0), in the order of their keys. */
const lockEndpointClaims = prepareQuery(
  () => sql`
    select pg_advisory_xact_lock(${ENDPOINT_CLAIM_LOCK}, key) from (
      select hashtext(endpoint_id) as key
      from unnest(${placeholder<string[]>(0)}::text[]) as wanted(endpoint_id)
      order by key
    ) as ordered`,
);

async function selectDue(
  write: WriteContext,
  now: number,
  limit: number,
  inFlight: Map<string, number>,
  limitOf: EndpointLimits,
): Promise<DeliveryRow[]> {
  const full = [...inFlight]
    .filter(([endpointId, leased]) => leased >= limitOf(endpointId))
    .map(([endpointId]) => endpointId);
  return dueDeliveries.rows(write, full.length, [now, limit, ...full]);
}

/**
 * Up to `limit` (argument 1) deliveries due at `now` (0) and not leased, leaving out the `size`
 * full endpoints listed from argument 2. Oldest due first, in the order of the due index: ties
 * within a millisecond are not sorted further, which would read every delivery of that
 * millisecond before answering.
 */
const dueDeliveries = prepareQuery((db, param, size, dialect) => {
  const now = param<number>(0);
  let query = db
    .selectFrom('deliveries')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]))
    .orderBy('next_attempt_at')
    .limit(param<number>(1));
  if (size > 0) query = query.where('endpoint_id', 'not in', placeholderList<string>(2, size));
  return dialect === 'postgres' ? query.forUpdate().skipLocked() : query;
});

/** Keeps candidates in order while no endpoint goes over its limit. */
function withinEndpointLimit(
  candidates: DeliveryRow[],
  inFlight: Map<string, number>,
  limitOf: EndpointLimits,
): DeliveryRow[] {
  const counts = new Map(inFlight);
  return candidates.filter((delivery) => {
    const count = counts.get(delivery.endpoint_id) ?? 0;
    if (count >= limitOf(delivery.endpoint_id)) return false;
    counts.set(delivery.endpoint_id, count + 1);
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
