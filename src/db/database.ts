/**
 * The one database handle of a process, whichever engine is behind it.
 */
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { DatabaseTarget } from '../config.js';
import {
  createPostgresDatabase,
  createPostgresPool,
  createUnflushedPostgresPool,
  type PostgresOptions,
} from './postgres/dialect.js';
import type { Schema } from './schema.js';
import { WalCheckpointer } from './sqlite/checkpointer.js';
import { createSqliteDatabase } from './sqlite/dialect.js';
import type { CachedSqlite } from './sqlite/statement-cache.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<Schema>;
  /**
   * The same database for writes whose loss on a crash of the database server only repeats
   * work (see transactWithoutFlushWait in transaction.ts); on SQLite the same handle as `db`.
   */
  unflushed: Kysely<Schema>;
  dialect: DialectName;
  /** The PostgreSQL pool, for LISTEN/NOTIFY and raw checks; undefined on SQLite. */
  pool: pg.Pool | undefined;
  /** The SQLite connection Kysely uses, for reads run at once; undefined on PostgreSQL. */
  sqlite: CachedSqlite | undefined;
  close(): Promise<void>;
}

/** How to open the database; each option applies to one engine only. */
export interface OpenOptions extends PostgresOptions {
  /**
   * SQLite: checkpoint the write-ahead log on a thread of its own (see WalCheckpointer), for
   * long-running processes; short commands leave it to SQLite's automatic checkpoints.
   */
  backgroundCheckpoints?: boolean;
}

/** Opens the database the configuration names. */
export function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Database {
  if (target.kind === 'sqlite') {
    const background = options.backgroundCheckpoints === true && target.path !== ':memory:';
    const { db, sqlite } = createSqliteDatabase(target.path, { backgroundCheckpoints: background });
    const checkpointer = background ? new WalCheckpointer(target.path) : undefined;
    const close = async () => {
      await checkpointer?.stop();
      await db.destroy();
    };
    return { db, unflushed: db, dialect: 'sqlite', pool: undefined, sqlite, close };
  }
  const pool = createPostgresPool(target.url, options);
  const db = createPostgresDatabase(pool);
  const unflushed = createPostgresDatabase(createUnflushedPostgresPool(target.url, options));
  const close = async () => {
    await Promise.all([db.destroy(), unflushed.destroy()]);
  };
  return { db, unflushed, dialect: 'postgres', pool, sqlite: undefined, close };
}
