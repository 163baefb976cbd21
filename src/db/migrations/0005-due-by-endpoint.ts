/**
 * The due index is led by the endpoint, so that a claim reads the head of each endpoint's queue
 * instead of one queue in time order.
 *
 * In time order, the deliveries of an endpoint that cannot take more (a dead receiver at its
 * attempts in flight) pile up at the head, and every claim walked past all of them, in the
 * index, to reach the others' work: a claim of eight on SQLite took 0.41 ms with no such pile,
 * 0.54 ms beside 2,000 and 1.9 ms beside 20,000; on PostgreSQL 1.5, 2.0 and 5.4 ms. Led by the
 * endpoint, a claim seeks to each endpoint's queue and reads only what it takes, whatever waits
 * behind it (docs/performance.md has the figures after).
 *
 * The index replaces the one in time order rather than joining it, so each delivery still costs
 * one entry to write and one to remove. What needs the time order across endpoints (the next
 * retry, the due count) reads each endpoint's queue in turn (`queued-endpoints.ts`).
 */
import type { Kysely, Migration } from 'kysely';

export function dueByEndpointMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.dropIndex('deliveries_due').execute();
      await db.schema
        .createIndex('deliveries_due')
        .on('deliveries')
        .columns(['status', 'endpoint_id', 'next_attempt_at', 'lease_expires_at'])
        .where('next_attempt_at', 'is not', null)
        .execute();
    },
  };
}
