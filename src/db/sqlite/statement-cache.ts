/**
 * Prepared statements kept for reuse. Kysely prepares every query it runs; on SQLite preparing
 * costs about as much as running a small statement, and the hot paths (the dispatcher's claims
 * and records, key lookups, reads by id) repeat the same few SQL texts thousands of times a
 * second. SQLite re-prepares a kept statement by itself when the schema changes.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Distinct SQL texts kept. The delivery path compiles its `in (?, ?, …)` lists and multi-row
 * inserts once per length (see src/db/prepared-query.ts): a dozen statements times every length
 * up to the dispatcher's concurrency, which this keeps prepared with room to spare.
 */
const CACHE_LIMIT = 2000;

/** The SQLite connection as Kysely uses it, and what the direct reads need of it. */
export interface CachedSqlite extends SqliteDatabase {
  /** Whether a transaction is open on the connection (`begin` ran, `commit` not yet). */
  readonly inTransaction: boolean;
  /**
   * A statement of the caller's own for `text`, not kept here, that answers each row as an array
   * of column values (its `columns()` name them), so no property names are made per row.
   */
  prepareRaw(text: string): BetterSqlite3.Statement<unknown[], unknown[]>;
}

/** Wraps `sqlite` so that each SQL text is prepared once and its statement reused. */
export function withStatementCache(sqlite: BetterSqlite3.Database): CachedSqlite {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    get inTransaction() {
      return sqlite.inTransaction;
    },
    prepareRaw: (text) => sqlite.prepare<unknown[], unknown[]>(text).raw(true),
    prepare(text: string): SqliteStatement {
      const kept = statements.get(text);
      if (kept) return kept;
      const statement = sqlite.prepare(text) as unknown as SqliteStatement;
      // Oldest first: a Map iterates in insertion order.
      if (statements.size >= CACHE_LIMIT) statements.delete(statements.keys().next().value!);
      statements.set(text, statement);
      return statement;
    },
  };
}
