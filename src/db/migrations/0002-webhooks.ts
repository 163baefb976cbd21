/**
 * Webhook endpoints, one delivery per (event, endpoint) and every attempt of each.
 */
import type { Kysely, Migration } from 'kysely';

export function webhooksMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('webhook_endpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('event_types', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('disabled_reason', 'text')
        .addColumn('disabled_at', 'bigint')
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('previous_secret', 'text')
        .addColumn('previous_secret_expires_at', 'bigint')
        .addColumn('failing_since', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('endpoint_id', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempt_count', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'bigint')
        .addColumn('last_attempt_at', 'bigint')
        .addColumn('retry_origin_at', 'bigint', (c) => c.notNull())
        .addColumn('retry_attempt_base', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // The dispatcher's claim query: due pending work in time order. The endpoint and the lease
      // are in the index so that the claim skips the deliveries of a full endpoint (a slow
      // receiver's, piling up at the head of the queue) and the leased ones without reading
      // their rows.
      await db.schema
        .createIndex('deliveries_due')
        .on('deliveries')
        .columns(['status', 'next_attempt_at', 'endpoint_id', 'lease_expires_at'])
        .execute();
      // Counting attempts in flight per endpoint at each claim: only live leases are scanned.
      // Status leads so that SQLite's planner, which has no statistics, prefers this index to
      // deliveries_due for `status = 'pending' and lease_expires_at > now`; with deliveries_due
      // it would walk every pending delivery, a million of them in a large backlog.
      await db.schema
        .createIndex('deliveries_lease')
        .on('deliveries')
        .columns(['status', 'lease_expires_at'])
        .execute();
      await db.schema
        .createIndex('deliveries_endpoint')
        .on('deliveries')
        .columns(['endpoint_id', 'id'])
        .execute();
      // The console's overview reads the deliveries of the last 24 hours.
      await db.schema
        .createIndex('deliveries_created')
        .on('deliveries')
        .column('created_at')
        .execute();
      // One delivery per (event, endpoint): a recovery racing another recovery, or fan-out,
      // cannot queue the same event twice for one endpoint.
      await db.schema
        .createIndex('deliveries_event')
        .unique()
        .on('deliveries')
        .columns(['event_id', 'endpoint_id'])
        .execute();

      await db.schema
        .createTable('delivery_attempts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('delivery_id', 'text', (c) => c.notNull())
        .addColumn('attempted_at', 'bigint', (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('error_kind', 'text')
        .addColumn('request_headers', 'text', (c) => c.notNull())
        .addColumn('response_headers', 'text', (c) => c.notNull())
        .addColumn('response_body', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('delivery_attempts_delivery')
        .on('delivery_attempts')
        .columns(['delivery_id', 'attempted_at'])
        .execute();
      // The console's overview reads the attempts of the last 24 hours.
      await db.schema
        .createIndex('delivery_attempts_time')
        .on('delivery_attempts')
        .column('attempted_at')
        .execute();
    },
  };
}
