/**
 * Reading a row that the same transaction is about to change. On PostgreSQL the row is locked
 * (`for update`) so two requests changing the same record run one after the other and the second
 * sees the first one's result; SQLite has one writer at a time, which already gives that.
 */
import type { WriteContext } from '../db/transaction.js';

/** Adds `for update` to `query` on PostgreSQL; SQLite has no such clause and needs none. */
export function lockedOn<Q extends { forUpdate(): Q }>(write: WriteContext, query: Q): Q {
  return write.dialect === 'postgres' ? query.forUpdate() : query;
}
