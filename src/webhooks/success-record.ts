/**
 * A batch of successes recorded in one statement on PostgreSQL. Most batches a busy dispatcher
 * records are 2xx answers from endpoints that are not failing: nothing about them needs a
 * decision, and the transaction that records any batch (lock the deliveries, maybe lock the
 * endpoints, write, commit) costs four round trips to the server, each of which costs the
 * dispatcher more CPU than the statements themselves. Here the update is conditional on what
 * the transaction would have checked under its locks: the delivery is still pending and
 * leased to this dispatcher (PostgreSQL checks the row again once it holds its lock), and its
 * endpoint is not failing, so that a success never has to clear the endpoint's run of failures
 * here. What the statement does not take goes through the transaction as before.
 *
 * It commits on its own, without waiting for the log flush, like the record transaction (see
 * transactWithoutFlushWait). SQLite has no round trips, and keeps the transaction.
 */
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { placeholder, prepareQuery } from '../db/prepared-query.js';
import { withoutFlushWait } from '../db/transaction.js';
import type { FinishedAttempt } from './attempt-result.js';
import { attemptColumns, attemptValues, typedAttemptValues } from './attempt-rows.js';
import { classifyAttempt } from './outcomes.js';

type SuccessContext = Pick<AppContext, 'database' | 'clock' | 'ids'>;

/**
 * Records the attempts of `attempts` that succeeded for endpoints that are not failing, on
 * PostgreSQL, when every attempt of the batch succeeded; answers each recorded delivery's
 * attempt number by delivery id. Empty when the batch is left to the transaction.
 */
export async function recordHealthySuccesses(
  context: SuccessContext,
  attempts: readonly FinishedAttempt[],
): Promise<Map<string, number>> {
  const owner = attempts[0]?.owner;
  const eligible =
    context.database.dialect === 'postgres' &&
    owner !== undefined &&
    attempts.every(
      (attempt) => attempt.owner === owner && classifyAttempt(attempt.result) === 'success',
    );
  if (!eligible) return new Map();

  const done = await succeed.rows(withoutFlushWait(context.database), attempts.length, [
    context.clock.now(),
    owner,
    ...attemptValues(context.ids, attempts),
  ]);
  return new Map(done.map((row) => [row.id, Number(row.attempt_count)]));
}

/**
 * Marks deliveries succeeded at `now` (argument 0) where they are still pending and leased to
 * the owner (1) and their endpoint is not failing, from `size` attempt rows that follow (in the
 * order of attemptValues), and inserts the attempt rows of the deliveries it marked. Answers the
 * marked ids with their new counts.
 */
const succeed = prepareQuery<{ id: string; attempt_count: number }>(
  (_db, _param, size) => sql`
    with attempt (${attemptColumns}) as (${typedAttemptValues(size, 2)}),
    done as (
      update deliveries as d
      set status = 'succeeded',
          next_attempt_at = null,
          attempt_count = d.attempt_count + 1,
          last_attempt_at = attempt.attempted_at,
          lease_owner = null,
          lease_expires_at = null,
          updated_at = ${placeholder(0)}
      from attempt
      where d.id = attempt.delivery_id
        and d.status = 'pending'
        and d.lease_owner = ${placeholder(1)}
        and exists (
          select 1 from webhook_endpoints as e
          where e.id = d.endpoint_id and e.failing_since is null
        )
      returning d.id, d.attempt_count
    ),
    inserted as (
      insert into delivery_attempts (${attemptColumns})
      select attempt.* from attempt where attempt.delivery_id in (select id from done)
    )
    select id, attempt_count from done`,
);
