/**
 * A write transaction with after-commit hooks: work that must only happen once the change is
 * durable (waking the dispatcher, dropping a cache entry) registers here.
 */
import { sql, type Transaction } from 'kysely';
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

/**
 * Lets `write` commit without waiting for its log to reach the disk, on PostgreSQL
 * (`synchronous_commit = off` for this transaction only; a flush takes milliseconds on many
 * disks, longer than the whole transaction). A crash of the database server may then lose the
 * last fraction of a second of such commits, never part of one, and never a commit that was
 * made durably before. Only for writes whose loss repeats work rather than losing it: a
 * dispatcher's claims and attempt records, where a lost write means a delivery is sent again,
 * which at-least-once delivery allows. SQLite in WAL mode with `synchronous = NORMAL` already
 * commits this way for every transaction, losing nothing when only the process crashes.
 */
export async function commitWithoutFlushWait(write: WriteContext): Promise<void> {
  if (write.dialect === 'postgres')
    await sql`set local synchronous_commit = off`.execute(write.trx);
}
