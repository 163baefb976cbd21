/**
 * The shared engine for more than one process: a pg connection pool. 64-bit integers (our
 * millisecond timestamps and counts) are read as JavaScript numbers, which hold them exactly.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Schema } from '../schema.js';
import { NamedStatementClient } from './named-statements.js';

export interface PostgresOptions {
  /** Connections kept by this process. */
  poolSize?: number;
  /** A schema to work in instead of `public` (tests give each file its own). */
  searchPath?: string;
}

/**
 * The name our connections carry in `pg_stat_activity`, so an operator (or a test) can tell
 * Lyceum's connections apart; an `application_name` in DATABASE_URL takes precedence.
 */
export const APPLICATION_NAME = 'lyceum';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

/** Creates the pool for `url`; connections are opened lazily. */
export function createPostgresPool(url: string, options: PostgresOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    fallback_application_name: APPLICATION_NAME,
    types,
    Client: NamedStatementClient,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  // A connection that dies while idle (server restart, terminated backend) is dropped by the
  // pool; without a listener the error would crash the process.
  pool.on('error', () => {});
  // One that dies while checked out but between two statements of a transaction emits its
  // error on the client, where nothing else listens. The next statement on it fails and is
  // reported by its caller, and the pool then discards the connection.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

/** A Kysely handle over a pool from createPostgresPool. */
export function createPostgresDatabase(pool: pg.Pool): Kysely<Schema> {
  return new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
}

/** Connections of the pool for writes that do not wait for the log flush. */
const UNFLUSHED_POOL_SIZE = 4;

/**
 * A second, small pool whose sessions commit without waiting for the write-ahead log to reach
 * the disk (`synchronous_commit = off`, set once on each new connection; see
 * transactWithoutFlushWait in ../transaction.ts). Being a session setting, it also covers a
 * statement that commits on its own, and a transaction needs no statement of its own to set it.
 *
 * The dispatcher's claims and records run here, and their named statements keep one generic
 * plan (`plan_cache_mode = force_generic_plan`) instead of being planned again for each call's
 * values: PostgreSQL ran the claim's due query with a new plan on every call (its estimate for
 * the generic plan was the higher one), 0.69 ms a call against 0.41 ms with the generic plan.
 * Every statement of this pool reads by key or through the dispatcher's partial indexes, which a
 * generic plan uses as well as a custom one does. A generic plan is costed without the call's
 * values, so over a large backlog it expects a third of the table where a few rows match:
 * PostgreSQL then counted live leases with two parallel workers (6 ms to start them, over a
 * million due deliveries, for a count that takes 0.1), and compiled a claim query tried in
 * development on every call (JIT, 19 ms for a statement that runs in 2). Nothing these sessions
 * run is large enough to gain from either, so both are off (`max_parallel_workers_per_gather`,
 * `jit`).
 */
export function createUnflushedPostgresPool(url: string, options: PostgresOptions = {}): pg.Pool {
  const pool = createPostgresPool(url, {
    ...options,
    poolSize: Math.min(options.poolSize ?? UNFLUSHED_POOL_SIZE, UNFLUSHED_POOL_SIZE),
  });
  // Queued before anything the connection is handed out for; a connection on which it fails
  // fails that next statement too, and the pool discards it.
  pool.on('connect', (client) => {
    client
      .query(
        'set synchronous_commit = off; set plan_cache_mode = force_generic_plan; set jit = off; ' +
          'set max_parallel_workers_per_gather = 0',
      )
      .catch(() => {});
  });
  return pool;
}
