/**
 * Claiming due deliveries with a lease. A claim stamps the delivery with its dispatcher's id
 * and an expiry; a dispatcher that crashes simply lets the lease run out, and the delivery is
 * due again for whoever claims next. Nothing has to notice the crash.
 *
 * On PostgreSQL several dispatcher processes claim at once: `FOR UPDATE SKIP LOCKED` lets each
 * take different rows without waiting on the others. SQLite has one writer at a time, which
 * serialises claims without it.
 */
import { type Selectable, sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { Database } from '../db/database.js';
import type { DeliveryTable } from '../db/schema.js';
import { transact, type WriteContext } from '../db/transaction.js';

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
  leaseMs: number;
}

type ClaimContext = Pick<AppContext, 'database' | 'clock'>;

/**
 * Leases up to `limit` due deliveries, oldest due first, leaving out endpoints that already
 * have `perEndpointLimit` attempts in flight. A slow or dead receiver therefore holds only its
 * own share of the dispatcher and never delays the others.
 */
export async function claimDueDeliveries(
  context: ClaimContext,
  request: ClaimRequest,
): Promise<DeliveryRow[]> {
  if (request.limit <= 0) return [];
  const now = context.clock.now();

  return transact(context.database, async (write) => {
    const inFlight = await leasedPerEndpoint(write, now);
    const candidates = await selectDue(write, now, request, inFlight);
    const chosen = withinEndpointLimit(candidates, inFlight, request.perEndpointLimit);
    if (chosen.length === 0) return [];

    const leaseExpiresAt = now + request.leaseMs;
    await write.trx
      .updateTable('deliveries')
      .set({ lease_owner: request.owner, lease_expires_at: leaseExpiresAt })
      .where(
        'id',
        'in',
        chosen.map((delivery) => delivery.id),
      )
      .execute();
    return chosen.map((delivery) => ({
      ...delivery,
      lease_owner: request.owner,
      lease_expires_at: leaseExpiresAt,
    }));
  });
}

/**
 * Attempts in flight per endpoint, across every dispatcher sharing the database. Two
 * PostgreSQL dispatchers claiming at the same instant can both see the same count, so the
 * limit may be overshot by one batch there; it holds exactly within one process.
 */
async function leasedPerEndpoint(write: WriteContext, now: number): Promise<Map<string, number>> {
  const rows = await write.trx
    .selectFrom('deliveries')
    .select(['endpoint_id', sql<number>`count(*)`.as('leased')])
    .where('lease_expires_at', '>', now)
    .where('status', '=', 'pending')
    .groupBy('endpoint_id')
    .execute();
  return new Map(rows.map((row) => [row.endpoint_id, Number(row.leased)]));
}

async function selectDue(
  write: WriteContext,
  now: number,
  request: ClaimRequest,
  inFlight: Map<string, number>,
): Promise<DeliveryRow[]> {
  const full = [...inFlight]
    .filter(([, leased]) => leased >= request.perEndpointLimit)
    .map(([endpointId]) => endpointId);

  let query = write.trx
    .selectFrom('deliveries')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]))
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(request.limit);
  if (full.length > 0) query = query.where('endpoint_id', 'not in', full);
  if (write.dialect === 'postgres') query = query.forUpdate().skipLocked();
  return query.execute();
}

/** Keeps candidates in order while no endpoint goes over its limit. */
function withinEndpointLimit(
  candidates: DeliveryRow[],
  inFlight: Map<string, number>,
  limit: number,
): DeliveryRow[] {
  const counts = new Map(inFlight);
  return candidates.filter((delivery) => {
    const count = counts.get(delivery.endpoint_id) ?? 0;
    if (count >= limit) return false;
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
    .where('lease_owner', '=', owner)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** When the earliest pending delivery that is not yet due becomes due; null when none waits. */
export async function nextDueAt(database: Database, now: number): Promise<number | null> {
  const row = await database.db
    .selectFrom('deliveries')
    .select(sql<number | null>`min(next_attempt_at)`.as('next'))
    .where('status', '=', 'pending')
    .where('next_attempt_at', '>', now)
    .executeTakeFirst();
  return row?.next == null ? null : Number(row.next);
}
