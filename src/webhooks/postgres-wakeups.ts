/**
 * Wake-ups between processes on PostgreSQL. A transaction that makes deliveries due sends a
 * NOTIFY on DELIVERY_CHANNEL as part of its commit (see fan-out.ts); each dispatcher process
 * LISTENs on its own connection and turns every notification into the same in-process signal
 * a local commit raises. A delivery committed by an API process therefore starts within
 * milliseconds in whichever dispatcher claims it first, instead of at the next fallback poll.
 *
 * The channel is database-wide: Lyceums that share a database in separate schemas wake each
 * other needlessly, which costs a claim query that finds nothing, never a wrong delivery.
 */
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { Database } from '../db/database.js';
import { PostgresListener } from '../db/postgres/listener.js';
import { DELIVERY_CHANNEL } from './delivery-signal.js';

/**
 * Starts listening for committed deliveries when the database is PostgreSQL; resolves with the
 * listener (stop it on shutdown), or undefined on SQLite, where one process does all the work.
 */
export async function startDeliveryWakeups(
  context: Pick<AppContext, 'config' | 'logger' | 'deliverySignal'>,
): Promise<PostgresListener | undefined> {
  const target = context.config.database;
  if (target.kind !== 'postgres') return undefined;

  const wake = () => context.deliverySignal.notify();
  const listener = new PostgresListener({
    url: target.url,
    channel: DELIVERY_CHANNEL,
    logger: context.logger,
    onNotification: wake,
    // Work committed while the connection was down announced itself to no one.
    onListening: wake,
  });
  await listener.start();
  return listener;
}

/**
 * Wakes every dispatcher process now, for work made due outside a transaction that announces
 * itself (leases handed back on shutdown). Does nothing on SQLite.
 */
export async function notifyDispatchers(database: Database): Promise<void> {
  if (database.dialect !== 'postgres') return;
  await sql`select pg_notify(${DELIVERY_CHANNEL}, '')`.execute(database.db);
}
