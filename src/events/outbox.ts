/**
 * The outbox: an event is written in the same transaction as the change it announces, so a
 * rolled-back change leaves no event and a committed one always has its event.
 *
 * On PostgreSQL a transaction-level advisory lock is taken before the insert and held until
 * commit. Sequence numbers are therefore handed out in commit order, and a reader paging the
 * feed by `seq` can never see seq N+1 before N becomes visible. SQLite has one writer at a time,
 * which gives the same guarantee without a lock.
 */
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { WriteContext } from '../db/transaction.js';
import { fanOutEvent } from '../webhooks/fan-out.js';
import type { EventData, EventType } from './catalog.js';
import { type EventEnvelope, envelopeFromRow } from './envelope.js';

/** The advisory lock key that orders event commits on PostgreSQL ("LYCE" in ASCII). */
export const EVENT_ORDER_LOCK = 0x4c594345;

/** Records an event inside `write`'s transaction and queues its webhook deliveries. */
export async function recordEvent<T extends EventType>(
  context: Pick<AppContext, 'clock' | 'ids' | 'deliverySignal'>,
  write: WriteContext,
  type: T,
  data: EventData<T>,
  options: { onlyEndpointId?: string } = {},
): Promise<EventEnvelope> {
  if (write.dialect === 'postgres') {
    await sql`select pg_advisory_xact_lock(${EVENT_ORDER_LOCK})`.execute(write.trx);
  }

  const row = {
    id: context.ids.next('event'),
    type,
    data: JSON.stringify(data),
    created_at: context.clock.now(),
  };
  await write.trx.insertInto('events').values(row).execute();

  const event = envelopeFromRow(row);
  await fanOutEvent(context, write, event, options.onlyEndpointId);
  return event;
}
