/**
 * The embedded engine: one SQLite file in WAL mode, so readers never wait for the writer and a
 * crash loses no committed transaction.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Schema } from '../schema.js';
import { type CachedSqlite, withStatementCache } from './statement-cache.js';

/** Log pages after which a commit checkpoints by itself while a WalCheckpointer runs. */
export const FALLBACK_CHECKPOINT_PAGES = 10_000;

export interface SqliteOptions {
  /**
   * A WalCheckpointer checkpoints this file: commits on this connection only checkpoint
   * themselves when the log has grown past FALLBACK_CHECKPOINT_PAGES regardless.
   */
  backgroundCheckpoints?: boolean;
}

/**
 * Opens (creating when missing) the SQLite file at `path`; `:memory:` works for tests. Kysely
 * and the direct reads (`src/db/prepared-read.ts`) share the one connection.
 */
export function createSqliteDatabase(
  path: string,
  options: SqliteOptions = {},
): { db: Kysely<Schema>; sqlite: CachedSqlite } {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // 32 MiB of page cache instead of the default 2 MiB: once the deliveries table and its indexes
  // outgrow the cache, every claim and record reads its pages again from the file, and a large
  // backlog delivered half as fast as a small one. The cap keeps memory bounded either way.
  sqlite.pragma('cache_size = -32768');
  if (options.backgroundCheckpoints) {
    sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_CHECKPOINT_PAGES}`);
  }
  const cached = withStatementCache(sqlite);
  return {
    db: new Kysely<Schema>({ dialect: new SqliteDialect({ database: cached }) }),
    sqlite: cached,
  };
}
