/**
 * A write transaction with after-commit hooks: work that must only happen once the change is
 * durable (waking the dispatcher, dropping a cache entry) registers here.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, DialectName } from './database.js';
import type { Schema } from './schema.js';
import { GroupCommit } from './sqlite/group-commit.js';

export interface WriteContext {
  trx: Transaction<Schema>;
  dialect: DialectName;
  /** Runs `hook` after the transaction commits; never when it rolls back. */
  afterCommit(hook: () => void): void;
}

/** The group committer of each SQLite database (see src/db/sqlite/group-commit.ts). */
const groupCommits = new WeakMap<Database, GroupCommit>();

function groupCommitOf(database: Database): GroupCommit {
  let group = groupCommits.get(database);
  if (!group) {
    group = new GroupCommit(database.db);
    groupCommits.set(database, group);
  }
  return group;
}

/**
 * Runs `work` in one transaction and then its after-commit hooks. On SQLite, transactions that
 * wait for the connection commit together with the one before them, each still succeeding or
 * failing alone (see src/db/sqlite/group-commit.ts).
 */
export function transact<T>(
  database: Database,
  work: (write: WriteContext) => Promise<T>,
): Promise<T> {
  return transactOn(database, database.db, work);
}

/**
 * Runs `work` like transact, letting it commit without waiting for its log to reach the disk, on
 * PostgreSQL (on a small pool of its own whose sessions have `synchronous_commit = off`; a flush
 * takes milliseconds on many disks, longer than the whole transaction). A crash of the database
 * server may then lose the last fraction of a second of such commits, never part of one, and never
 * a commit that was made durably before. Only for writes whose loss repeats work rather than losing
 * it: a dispatcher's claims and attempt records, where a lost write means a delivery is sent again,
 * which at-least-once delivery allows. SQLite in WAL mode with `synchronous = NORMAL` already
 * commits this way for every transaction, losing nothing when only the process crashes.
 */
export function transactWithoutFlushWait<T>(
  database: Database,
  work: (write: WriteContext) => Promise<T>,
): Promise<T> {
  return transactOn(database, database.unflushed, work);
}

async function transactOn<T>(
  database: Database,
  handle: Kysely<Schema>,
  work: (write: WriteContext) => Promise<T>,
): Promise<T> {
  const hooks: Array<() => void> = [];
  const inTransaction = (trx: Transaction<Schema>) =>
    work({ trx, dialect: database.dialect, afterCommit: (hook) => hooks.push(hook) });
  const result =
    database.dialect === 'sqlite'
      ? await groupCommitOf(database).run(inTransaction)
      : await handle.transaction().execute(inTransaction);
  for (const hook of hooks) hook();
  return result;
}

/** The view of each database whose `db` is its handle for writes without the flush wait. */
const unflushedViews = new WeakMap<Database, Database>();

/**
 * `database` with the handle of transactWithoutFlushWait as its `db`, for a statement of the
 * same kind that commits on its own.
 */
export function withoutFlushWait(database: Database): Database {
  let view = unflushedViews.get(database);
  if (!view) {
    view = { ...database, db: database.unflushed };
    unflushedViews.set(database, view);
  }
  return view;
}
