/**
 * A write transaction with after-commit hooks: work that must only happen once the change is
 * durable (waking the dispatcher, dropping a cache entry) registers here.
 */
import type { Transaction } from 'kysely';
import type { Database, DialectName } from './database.js';
import type { Schema } from './schema.js';

export interface WriteContext {
  trx: Transaction<Schema>;
  dialect: DialectName;
  /** Runs `hook` after the transaction commits; never when it rolls back. */
  afterCommit(hook: () => void): void;
}

/** Runs `work` in one transaction and then its after-commit hooks. */
export async function transact<T>(
  database: Database,
  work: (write: WriteContext) => Promise<T>,
): Promise<T> {
  const hooks: Array<() => void> = [];
  const result = await database.db
    .transaction()
    .execute((trx) =>
      work({ trx, dialect: database.dialect, afterCommit: (hook) => hooks.push(hook) }),
    );
  for (const hook of hooks) hook();
  return result;
}
