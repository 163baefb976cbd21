/**
 * Versioned migrations, applied in name order and recorded in `kysely_migration`. Several
 * processes may start at once: Kysely takes a lock (an advisory lock on PostgreSQL) so each
 * migration runs exactly once.
 */
import { type Migration, type MigrationResultSet, Migrator, sql } from 'kysely';
import type { Database } from './database.js';
import { learningMigration } from './migrations/0001-learning.js';
import { webhooksMigration } from './migrations/0002-webhooks.js';
import { idempotencyMigration } from './migrations/0003-idempotency.js';
import { dispatcherIndexesMigration } from './migrations/0004-dispatcher-indexes.js';

function migrationsFor(database: Database): Record<string, Migration> {
  return {
    '0001-learning': learningMigration(database.dialect),
    '0002-webhooks': webhooksMigration(),
    '0003-idempotency': idempotencyMigration(),
    '0004-dispatcher-indexes': dispatcherIndexesMigration(),
  };
}

/** Applies every pending migration; returns the names applied now. */
export async function migrateToLatest(database: Database): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one; naming the
  // current schema keeps databases that hold several Lyceum schemas apart.
  const schema =
    database.dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db))
          .rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrationsFor(database) },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed`, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
