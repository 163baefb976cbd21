/**
 * API keys, the learning model and the event outbox.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../database.js';

export function learningMigration(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('rate_limit_per_minute', 'integer')
        .addColumn('rate_limit_burst', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('first_name', 'text', (c) => c.notNull())
        .addColumn('last_name', 'text', (c) => c.notNull())
        .addColumn('external_customer_id', 'text')
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .execute();
      // One live user per email; a deleted user frees the address for a new account.
      await sql`create unique index users_email_live on users (email) where deleted_at is null`.execute(
        db,
      );
      await db.schema
        .createIndex('users_updated')
        .on('users')
        .columns(['updated_at', 'id'])
        .execute();
      await db.schema
        .createIndex('users_external_customer')
        .on('users')
        .column('external_customer_id')
        .execute();

      await db.schema
        .createTable('courses')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('grants_certificate', 'integer', (c) => c.notNull())
        .addColumn('certificate_validity_days', 'integer')
        .addColumn('published_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('courses_updated')
        .on('courses')
        .columns(['updated_at', 'id'])
        .execute();

      await db.schema
        .createTable('enrollments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('course_id', 'text', (c) => c.notNull().references('courses.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('progress', 'integer', (c) => c.notNull())
        .addColumn('enrolled_at', 'bigint', (c) => c.notNull())
        .addColumn('completed_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('enrollments_user_course', ['user_id', 'course_id'])
        .execute();
      await db.schema
        .createIndex('enrollments_updated')
        .on('enrollments')
        .columns(['updated_at', 'id'])
        .execute();
      await db.schema
        .createIndex('enrollments_course')
        .on('enrollments')
        .column('course_id')
        .execute();

      await db.schema
        .createTable('certifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('course_id', 'text', (c) => c.notNull().references('courses.id'))
        .addColumn('enrollment_id', 'text', (c) => c.notNull().references('enrollments.id'))
        .addColumn('issued_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addColumn('revocation_reason', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('certifications_user')
        .on('certifications')
        .column('user_id')
        .execute();
      await db.schema
        .createIndex('certifications_updated')
        .on('certifications')
        .columns(['updated_at', 'id'])
        .execute();

      await db.schema
        .createTable('subscriptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('plan', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('canceled_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('subscriptions_user')
        .on('subscriptions')
        .column('user_id')
        .execute();
      await db.schema
        .createIndex('subscriptions_updated')
        .on('subscriptions')
        .columns(['updated_at', 'id'])
        .execute();

      await db.schema
        .createTable('events')
        .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (c) =>
          dialect === 'postgres'
            ? c.primaryKey().generatedAlwaysAsIdentity()
            : c.primaryKey().autoIncrement(),
        )
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_type').on('events').columns(['type', 'seq']).execute();
      await db.schema.createIndex('events_created').on('events').column('created_at').execute();
    },
  };
}
