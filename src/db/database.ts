/**
 * The one database handle of a process, whichever engine is behind it.
 */
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { DatabaseTarget } from '../config.js';
import {
  createPostgresDatabase,
  createPostgresPool,
  type PostgresOptions,
} from './postgres/dialect.js';
import type { Schema } from './schema.js';
import { createSqliteDatabase } from './sqlite/dialect.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<Schema>;
  dialect: DialectName;
  /** The PostgreSQL pool, for LISTEN/NOTIFY and raw checks; undefined on SQLite. */
  pool: pg.Pool | undefined;
  close(): Promise<void>;
}

/** Opens the database the configuration names. */
export function openDatabase(target: DatabaseTarget, options: PostgresOptions = {}): Database {
  if (target.kind === 'sqlite') {
    const db = createSqliteDatabase(target.path);
    return { db, dialect: 'sqlite', pool: undefined, close: () => db.destroy() };
  }
  const pool = createPostgresPool(target.url, options);
  const db = createPostgresDatabase(pool);
  return { db, dialect: 'postgres', pool, close: () => db.destroy() };
}
