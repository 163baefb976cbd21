/**
 * The dispatcher's indexes hold only the rows it works on.
 *
 * A delivery is pending exactly while it has a `next_attempt_at`, and leased exactly while it
 * has a `lease_expires_at`; once delivered or given up it has neither. Indexing only those rows
 * keeps the claim's and the lease count's indexes as small as the queue instead of as large as
 * the delivery log, a new delivery is never written to the lease index, and finishing a
 * delivery removes its entries instead of moving them.
 *
 * The dispatcher's queries compare `next_attempt_at` or `lease_expires_at` with a time, which
 * implies that the column is not null, so SQLite and PostgreSQL both use these partial indexes
 * for them; a query that filters on `status = 'pending'` alone must also say
 * `next_attempt_at is not null` to use one.
 */
import type { Kysely, Migration } from 'kysely';

export function dispatcherIndexesMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.dropIndex('deliveries_due').execute();
      await db.schema
        .createIndex('deliveries_due')
        .on('deliveries')
        .columns(['status', 'next_attempt_at', 'endpoint_id', 'lease_expires_at'])
        .where('next_attempt_at', 'is not', null)
        .execute();
      // The endpoint is in the index so that counting live leases per endpoint reads the index
      // alone.
      await db.schema.dropIndex('deliveries_lease').execute();
      await db.schema
        .createIndex('deliveries_lease')
        .on('deliveries')
        .columns(['status', 'lease_expires_at', 'endpoint_id'])
        .where('lease_expires_at', 'is not', null)
        .execute();
    },
  };
}
