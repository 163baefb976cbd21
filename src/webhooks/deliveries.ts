/**
 * The delivery log and its replay: read what was sent and how each attempt went, resend one
 * delivery, or recover every event an endpoint missed or failed over a time range.
 *
 * A resent or recovered delivery starts a fresh retry window (retry_origin_at and
 * retry_attempt_base), so it gets the whole retry schedule again while its attempt count and
 * attempt history keep growing.
 */
import { sql } from 'kysely';
import type { Page } from '../api/pagination.js';
import { DEFAULT_LIMIT } from '../api/pagination.js';
import { badRequest, conflict, notFound } from '../api/problem.js';
import type { AppContext, WriteServices } from '../context.js';
import type { WebhookEndpointTable } from '../db/schema.js';
import { transact, type WriteContext } from '../db/transaction.js';
import { decodeIdCursor, enableFirst, pageById, requireEndpoint } from './endpoints.js';
import { announceDeliveries, pendingDeliveryRow } from './fan-out.js';
import {
  type AttemptView,
  type DeliveryStatus,
  type DeliveryView,
  viewAttempt,
  viewDelivery,
} from './views.js';

/** The longest time range one recovery may cover. */
export const MAX_RECOVERY_WINDOW_MS = 31 * 86_400_000;

/** Events recovered per insert; keeps each statement well under SQLite's variable limit. */
const RECOVERY_BATCH = 500;

export interface DeliveryListQuery {
  status?: DeliveryStatus;
  eventType?: string;
  limit?: number;
  cursor?: string;
}

export interface RecoveryRange {
  /** ISO 8601, inclusive. */
  since: string;
  /** ISO 8601, exclusive; now when absent. */
  until?: string;
}

type Context = WriteServices;

/**
 * Lists an endpoint's deliveries, newest first. The log outlives a deleted endpoint, so only
 * an id that never had an endpoint nor a delivery is a 404.
 */
export async function listEndpointDeliveries(
  context: Pick<AppContext, 'database'>,
  endpointId: string,
  query: DeliveryListQuery,
): Promise<Page<DeliveryView>> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  let select = context.database.db
    .selectFrom('deliveries')
    .selectAll()
    .where('endpoint_id', '=', endpointId);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  if (query.eventType !== undefined) select = select.where('event_type', '=', query.eventType);
  if (query.cursor !== undefined) select = select.where('id', '<', decodeIdCursor(query.cursor));
  const rows = await select
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();

  if (rows.length === 0 && !(await endpointIsKnown(context, endpointId))) {
    throw notFound('Webhook endpoint', endpointId);
  }
  return pageById(rows, limit, viewDelivery);
}

async function endpointIsKnown(
  context: Pick<AppContext, 'database'>,
  endpointId: string,
): Promise<boolean> {
  const [endpoint, delivery] = await Promise.all([
    context.database.db
      .selectFrom('webhook_endpoints')
      .select('id')
      .where('id', '=', endpointId)
      .executeTakeFirst(),
    context.database.db
      .selectFrom('deliveries')
      .select('id')
      .where('endpoint_id', '=', endpointId)
      .limit(1)
      .executeTakeFirst(),
  ]);
  return endpoint !== undefined || delivery !== undefined;
}

/** Reads one delivery with every attempt, oldest attempt first. */
export async function getDelivery(
  context: Pick<AppContext, 'database'>,
  id: string,
): Promise<DeliveryView & { attempts: AttemptView[] }> {
  const row = await context.database.db
    .selectFrom('deliveries')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('Delivery', id);

  const attempts = await context.database.db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('delivery_id', '=', id)
    .orderBy('attempted_at')
    .orderBy('id')
    .execute();
  return { ...viewDelivery(row), attempts: attempts.map(viewAttempt) };
}

/** The columns that put a finished delivery back in the queue with a fresh retry window. */
function requeueColumns(now: number) {
  return {
    status: 'pending',
    next_attempt_at: now,
    lease_owner: null,
    lease_expires_at: null,
    retry_origin_at: now,
    retry_attempt_base: sql<number>`attempt_count`,
    updated_at: now,
  };
}

/** Sends a finished delivery (failed or succeeded) again, now. */
export async function resendDelivery(context: Context, id: string): Promise<DeliveryView> {
  return transact(context.database, async (write) => {
    const current = await write.trx
      .selectFrom('deliveries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!current) throw notFound('Delivery', id);
    if (current.status === 'pending') throw alreadyPending(id);
    await requireEnabledEndpoint(write, current.endpoint_id);

    const now = context.clock.now();
    const result = await write.trx
      .updateTable('deliveries')
      .set(requeueColumns(now))
      .where('id', '=', id)
      .where('status', '!=', 'pending')
      .executeTakeFirst();
    // Another resend committed between our read and this update.
    if (Number(result.numUpdatedRows) === 0) throw alreadyPending(id);

    await announceDeliveries(context, write);
    const row = await write.trx
      .selectFrom('deliveries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return viewDelivery(row);
  });
}

function alreadyPending(id: string) {
  return conflict(
    `Delivery ${id} is still pending: it is queued or being sent; wait for it to finish before resending.`,
  );
}

/** Reads the endpoint a replay targets: it must exist and be enabled, or the answer is a 409. */
async function requireEnabledEndpoint(
  write: WriteContext,
  endpointId: string,
): Promise<WebhookEndpointTable> {
  const endpoint = await write.trx
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', endpointId)
    .executeTakeFirst();
  if (!endpoint) {
    throw conflict(
      `Webhook endpoint ${endpointId} was deleted, so its deliveries cannot be sent again; create a new endpoint and recover the time range on it.`,
    );
  }
  if (endpoint.enabled !== 1) throw enableFirst(endpointId);
  return endpoint;
}

/** Parses and checks a recovery range into epoch milliseconds. */
export function resolveRecoveryRange(
  range: RecoveryRange,
  now: number,
): { since: number; until: number } {
  const since = Date.parse(range.since);
  const until = range.until === undefined ? now : Date.parse(range.until);
  if (Number.isNaN(since) || Number.isNaN(until)) {
    throw badRequest('since and until must be ISO 8601 timestamps such as 2026-01-01T00:00:00Z.');
  }
  if (since >= until) throw badRequest('since must be earlier than until.');
  if (until - since > MAX_RECOVERY_WINDOW_MS) {
    throw badRequest(
      'The recovery window is longer than 31 days; split it into several recoveries.',
    );
  }
  return { since, until };
}

/**
 * Replays what an endpoint did not receive for events in [since, until) of the types it wants
 * now: failed deliveries are queued again, and events it never had a delivery for (it was
 * disabled, or did not exist yet) get one. Succeeded and pending deliveries are left alone, so
 * running the same recovery twice queues nothing the second time.
 *
 * One transaction: the answer's counts are exactly what was queued, and a failure queues
 * nothing.
 */
export async function recoverEndpoint(
  context: Context,
  endpointId: string,
  range: RecoveryRange,
): Promise<{ requeued: number; created: number }> {
  const { since, until } = resolveRecoveryRange(range, context.clock.now());

  return transact(context.database, async (write) => {
    const endpoint = await requireEndpoint(write, endpointId);
    if (endpoint.enabled !== 1) throw enableFirst(endpointId);
    const eventTypes = JSON.parse(endpoint.event_types) as string[];

    const requeued = await requeueFailed(context, write, endpointId, eventTypes, since, until);
    const created = await createMissing(context, write, endpointId, eventTypes, since, until);
    if (requeued + created > 0) await announceDeliveries(context, write);
    return { requeued, created };
  });
}

async function requeueFailed(
  context: Pick<AppContext, 'clock'>,
  write: WriteContext,
  endpointId: string,
  eventTypes: string[],
  since: number,
  until: number,
): Promise<number> {
  let update = write.trx
    .updateTable('deliveries')
    .set(requeueColumns(context.clock.now()))
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'failed')
    .where('event_id', 'in', (eb) =>
      eb
        .selectFrom('events')
        .select('id')
        .where('created_at', '>=', since)
        .where('created_at', '<', until),
    );
  if (!eventTypes.includes('*')) update = update.where('event_type', 'in', eventTypes);
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

async function createMissing(
  context: Pick<AppContext, 'clock' | 'ids'>,
  write: WriteContext,
  endpointId: string,
  eventTypes: string[],
  since: number,
  until: number,
): Promise<number> {
  let created = 0;
  let afterSeq = -1;
  for (;;) {
    let select = write.trx
      .selectFrom('events')
      .select(['seq', 'id', 'type'])
      .where('created_at', '>=', since)
      .where('created_at', '<', until)
      .where('seq', '>', afterSeq)
      // A test event belongs to the one endpoint it was sent to, never to a recovery.
      .where('type', '!=', 'webhook.test')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('deliveries')
              .select('deliveries.id')
              .whereRef('deliveries.event_id', '=', 'events.id')
              .where('deliveries.endpoint_id', '=', endpointId),
          ),
        ),
      );
    if (!eventTypes.includes('*')) select = select.where('type', 'in', eventTypes);
    const events = await select.orderBy('seq').limit(RECOVERY_BATCH).execute();
    if (events.length === 0) return created;

    created += await insertPending(context, write, endpointId, events);
    afterSeq = events.at(-1)?.seq ?? afterSeq;
  }
}

/** Inserts one pending delivery per event, shaped exactly as fan-out shapes them. */
async function insertPending(
  context: Pick<AppContext, 'clock' | 'ids'>,
  write: WriteContext,
  endpointId: string,
  events: Array<{ id: string; type: string }>,
): Promise<number> {
  const now = context.clock.now();
  const rows = events.map((event) =>
    pendingDeliveryRow(context.ids.next('delivery'), endpointId, event, now),
  );
  // A concurrent recovery of the same range may have inserted some of them first.
  const result = await write.trx
    .insertInto('deliveries')
    .values(rows)
    .onConflict((oc) => oc.columns(['event_id', 'endpoint_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}
