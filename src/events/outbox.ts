/**
 * The outbox: an event is written in the same transaction as the change it announces, together
 * with its webhook deliveries, so a rolled-back change leaves no event and a committed one always
 * has its event and its deliveries.
 *
 * On PostgreSQL a reader paging the feed by `seq` must never see seq N+1 while N may still
 * commit. Every event transaction holds the event-order advisory lock in shared mode from the
 * moment it draws its `seq` until it commits; event commits therefore never wait for each other.
 * A feed read first takes the same lock exclusively for an instant (see src/events/feed.ts),
 * which waits for the transactions holding it and then reads how far the sequence got: every
 * `seq` up to there is committed or rolled back, and the read stops there. The lock, the event,
 * its deliveries and the wake-up of the dispatchers go to the server as one statement. SQLite
 * has one writer at a time, which gives the same guarantee without a lock.
 */
import { type RawBuilder, sql } from 'kysely';
import type { AppContext } from '../context.js';
import { placeholderList, prepareQuery } from '../db/prepared-query.js';
import type { DeliveryTable } from '../db/schema.js';
import type { WriteContext } from '../db/transaction.js';
import { DELIVERY_CHANNEL } from '../webhooks/delivery-signal.js';
import { announceDeliveries, deliveriesFor } from '../webhooks/fan-out.js';
import type { EventData, EventType } from './catalog.js';
import { type EventEnvelope, envelopeFromRow } from './envelope.js';

/** The advisory lock namespace of the event order on PostgreSQL ("LYCE" in ASCII). */
export const EVENT_ORDER_LOCK = 0x4c594345;

/**
 * The event-order lock's two keys: the namespace, and the schema the events table is in, so that
 * two installations in one database (or the test files, each in a schema of its own) keep
 * separate orders and never wait for each other.
 */
export const eventOrderLock = sql`${EVENT_ORDER_LOCK}::int, hashtext(current_schema())`;

/** An event row as the outbox writes it. */
interface EventRow {
  id: string;
  type: string;
  data: string;
  created_at: number;
}

/** Records an event inside `write`'s transaction and queues its webhook deliveries. */
export async function recordEvent<T extends EventType>(
  context: Pick<AppContext, 'clock' | 'ids' | 'deliverySignal'>,
  write: WriteContext,
  type: T,
  data: EventData<T>,
  options: { onlyEndpointId?: string } = {},
): Promise<EventEnvelope> {
  const row: EventRow = {
    id: context.ids.next('event'),
    type,
    data: JSON.stringify(data),
    created_at: context.clock.now(),
  };
  const deliveries = await deliveriesFor(context, write, row, options.onlyEndpointId);

  const eventValues = [row.id, row.type, row.data, row.created_at];
  if (write.dialect === 'postgres') {
    const values = [...eventValues, ...deliveries.flatMap(deliveryValues)];
    await insertOrdered.execute(write, deliveries.length, values);
    // The statement notified the other processes; this process learns of it after commit.
    if (deliveries.length > 0) write.afterCommit(() => context.deliverySignal.notify());
  } else {
    await insertEvent.execute(write, 0, eventValues);
    if (deliveries.length > 0) {
      await insertDeliveries.execute(write, deliveries.length, deliveries.flatMap(deliveryValues));
      await announceDeliveries(context, write);
    }
  }
  return envelopeFromRow(row);
}

/** The columns of a delivery row, in the order `insertOrdered` lists their values. */
const DELIVERY_COLUMNS = [
  'id',
  'endpoint_id',
  'event_id',
  'event_type',
  'status',
  'attempt_count',
  'next_attempt_at',
  'lease_owner',
  'lease_expires_at',
  'last_attempt_at',
  'retry_origin_at',
  'retry_attempt_base',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof DeliveryTable>;

/** A delivery row's values in the order of DELIVERY_COLUMNS. */
function deliveryValues(delivery: DeliveryTable): unknown[] {
  return DELIVERY_COLUMNS.map((column) => delivery[column]);
}

/** Placeholders for `size` delivery rows whose values start at argument `from`. */
function deliveryRows(from: number, size: number): RawBuilder<unknown>[] {
  const width = DELIVERY_COLUMNS.length;
  return Array.from(
    { length: size },
    (_, index) => sql`(${sql.join(placeholderList(from + index * width, width))})`,
  );
}

const deliveryColumnList = sql.join(DELIVERY_COLUMNS.map((column) => sql.ref(column)));

/** The event (id, type, data, created_at: arguments 0 to 3). */
const insertEvent = prepareQuery(
  (_db, param) =>
    sql`insert into events (id, type, data, created_at)
      values (${param(0)}, ${param(1)}, ${param(2)}, ${param(3)})`,
);

/** `size` deliveries, their values from argument 0 on. */
const insertDeliveries = prepareQuery(
  (_db, _param, size) =>
    sql`insert into deliveries (${deliveryColumnList}) values ${sql.join(deliveryRows(0, size))}`,
);

/**
 * One PostgreSQL statement: take the event-order lock in shared mode, insert the event
 * (arguments 0 to 3; its `seq` is drawn after the lock is held, because the insert reads its row
 * from the lock's result), insert its `size` deliveries (from argument 4 on) and, when there are
 * any, NOTIFY the dispatchers, which PostgreSQL delivers only if the transaction commits.
 */
const insertOrdered = prepareQuery((_db, param, size) => {
  const event = sql`
    with ordered as (select pg_advisory_xact_lock_shared(${eventOrderLock})),
    event as (
      insert into events (id, type, data, created_at)
      select ${param(0)}, ${param(1)}, ${param(2)}, ${param(3)}::bigint from ordered
      returning id
    )`;
  if (size === 0) return sql`${event} select id from event`;
  return sql`${event},
    queued as (
      insert into deliveries (${deliveryColumnList}) values ${sql.join(deliveryRows(4, size))}
      returning id
    )
    select pg_notify(${DELIVERY_CHANNEL}, '') from (select 1 from queued limit 1) as any_queued`;
});
