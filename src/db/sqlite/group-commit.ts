/**
 * Group commit on SQLite. The embedded engine has one connection and one writer, so write
 * transactions run one after another anyway; what each of them pays on its own is the commit,
 * which appends every page it changed to the write-ahead log (an event with its deliveries
 * touches about ten). Transactions that are waiting when one starts therefore run in the same
 * database transaction, one after the other, and commit together: the pages they share are
 * written once.
 *
 * Each one still succeeds or fails alone. Once a group holds a finished transaction, the next
 * one runs in a savepoint, and a failure rolls back to it, leaving the others' work in place.
 * None of them is answered before the group has committed, so no caller ever acts on a write
 * that is not durable; if the commit itself fails, every one of them fails with that error.
 * A transaction that fails is answered after the commit as well: what it saw included the
 * group's earlier work, which only holds once that work is committed.
 *
 * A transaction that finds nothing waiting runs as it always did: begin, work, commit.
 */
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Schema } from '../schema.js';

/** Work for one transaction. */
type Work<T> = (trx: Transaction<Schema>) => Promise<T>;

interface Waiting {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** How one transaction of a group ended, answered once the group has committed. */
type Outcome =
  | { waiting: Waiting; ok: true; value: unknown }
  | { waiting: Waiting; ok: false; error: unknown };

/**
 * The most transactions one group holds, so that the first of them waits for at most this many
 * others before it is answered.
 */
const MAX_GROUP = 32;

const SAVEPOINT = CompiledQuery.raw('savepoint lyceum_grouped');
const ROLLBACK_TO_SAVEPOINT = CompiledQuery.raw('rollback to lyceum_grouped');
const RELEASE_SAVEPOINT = CompiledQuery.raw('release lyceum_grouped');

/** Runs a SQLite database's write transactions, grouping those that wait; one per database. */
export class GroupCommit {
  private readonly waiting: Waiting[] = [];
  private draining = false;

  constructor(private readonly db: Kysely<Schema>) {}

  /** Runs `work` in a transaction; resolves with its result once that transaction committed. */
  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        const outcomes = await this.runGroup();
        for (const outcome of outcomes) {
          if (outcome.ok) outcome.waiting.resolve(outcome.value);
          else outcome.waiting.reject(outcome.error);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** One database transaction for as many waiting transactions as it takes. */
  private async runGroup(): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    let committed = 0;
    let current: Waiting | undefined;
    const trx = await this.db
      .startTransaction()
      .execute()
      .catch((error: unknown) => {
        // Nothing ran: the first waiting transaction fails, the others try a group of their own.
        const first = this.waiting.shift();
        if (first) outcomes.push({ waiting: first, ok: false, error });
        return undefined;
      });
    if (!trx) return outcomes;

    try {
      while (this.waiting.length > 0 && outcomes.length < MAX_GROUP) {
        current = this.waiting.shift() as Waiting;
        // Alone so far, a failure can roll the whole transaction back: no savepoint needed.
        const guarded = committed > 0;
        if (guarded) await trx.executeQuery(SAVEPOINT);
        try {
          const value = await current.work(trx);
          if (guarded) await trx.executeQuery(RELEASE_SAVEPOINT);
          outcomes.push({ waiting: current, ok: true, value });
          committed += 1;
        } catch (error) {
          outcomes.push({ waiting: current, ok: false, error });
          if (!guarded) {
            await trx.rollback().execute();
            return outcomes;
          }
          await trx.executeQuery(ROLLBACK_TO_SAVEPOINT);
          await trx.executeQuery(RELEASE_SAVEPOINT);
        }
        current = undefined;
      }
      await trx.commit().execute();
      return outcomes;
    } catch (error) {
      // The savepoint, the rollback to it or the commit failed: nothing of the group is kept.
      await trx
        .rollback()
        .execute()
        .catch(() => {});
      const failed = outcomes.map(({ waiting }) => ({ waiting, ok: false as const, error }));
      if (current && !outcomes.some((outcome) => outcome.waiting === current)) {
        failed.push({ waiting: current, ok: false, error });
      }
      return failed;
    }
  }
}
