/**
 * Recording finished attempts and applying what they mean, in one transaction: the attempt
 * rows, each delivery's new state (done, retry later, or given up) and each endpoint's health
 * (recovered, failing, or disabled with an event that says so).
 *
 * Attempts are recorded in batches: a busy dispatcher finishes many attempts at once, and one
 * transaction of a few set-based statements for all of them costs little more than one for a
 * single attempt. Within a batch, attempts are judged in order, as separate transactions
 * would have judged them. On PostgreSQL a batch of successes is first offered to a single
 * statement (success-record.ts), and only what it leaves goes through the transaction.
 *
 * Every write is conditional on the lease still being ours. A dispatcher that stalled past its
 * lease finds the delivery taken over (or released on shutdown) and writes nothing, so the
 * delivery never ends up with two competing results.
 */
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { placeholder, placeholderList, prepareQuery } from '../db/prepared-query.js';
import type { WebhookEndpointTable } from '../db/schema.js';
import { transactWithoutFlushWait, type WriteContext } from '../db/transaction.js';
import { attemptInsert, attemptValues } from './attempt-rows.js';
import { disableEndpoint, failingReason, GONE_REASON } from './auto-disable.js';
import type { DeliveryRow } from './claim.js';
import type { AttemptOutcome } from './metrics.js';
import { classifyAttempt, type Outcome } from './outcomes.js';
import { planRetry } from './retry-schedule.js';
import type { SendResult } from './sender.js';
import { recordHealthySuccesses } from './success-record.js';

/** One attempt as it happened. */
export interface FinishedAttempt {
  deliveryId: string;
  /** The dispatcher holding the lease. */
  owner: string;
  /** When the request started. */
  attemptedAt: number;
  /** The headers sent: signatures, never the secret. */
  requestHeaders: Record<string, string>;
  result: SendResult;
}

/** What recording decided. */
export interface AttemptVerdict {
  outcome: AttemptOutcome;
  /** The attempt's number within the delivery, from 1. */
  attemptNumber: number;
  nextAttemptAt: number | null;
  /** Set when this attempt disabled its endpoint. */
  disabledReason: string | null;
}

type RecordContext = Pick<AppContext, 'database' | 'clock' | 'ids' | 'config' | 'deliverySignal'>;

interface DeliveryChange {
  status: 'pending' | 'succeeded' | 'failed';
  nextAttemptAt: number | null;
  outcome: AttemptOutcome;
  disabledReason: string | null;
}

/** An attempt whose lease held, with what it changes. */
interface RecordedAttempt {
  delivery: DeliveryRow;
  attempt: FinishedAttempt;
  change: DeliveryChange;
}

/**
 * Records `attempts` (of distinct deliveries) and applies their outcomes. Each verdict is null,
 * and nothing is written for that attempt, when its lease is no longer ours.
 */
export async function recordAttempts(
  context: RecordContext,
  attempts: readonly FinishedAttempt[],
  random: () => number,
): Promise<Array<AttemptVerdict | null>> {
  if (attempts.length === 0) return [];
  const succeeded = await recordHealthySuccesses(context, attempts);
  const rest = attempts.filter((attempt) => !succeeded.has(attempt.deliveryId));
  // In the order of `attempts`, as `rest` is.
  const restVerdicts = (await recordInTransaction(context, rest, random)).values();
  return attempts.map((attempt) => {
    const attemptNumber = succeeded.get(attempt.deliveryId);
    if (attemptNumber === undefined) return restVerdicts.next().value ?? null;
    return { outcome: 'succeeded', attemptNumber, nextAttemptAt: null, disabledReason: null };
  });
}

/** Records `attempts` in one transaction that locks what it reads; see the module comment. */
async function recordInTransaction(
  context: RecordContext,
  attempts: readonly FinishedAttempt[],
  random: () => number,
): Promise<Array<AttemptVerdict | null>> {
  if (attempts.length === 0) return [];
  return transactWithoutFlushWait(context.database, async (write) => {
    const deliveries = await lockDeliveries(write, attempts);
    const endpointIds = [...new Set([...deliveries.values()].map((row) => row.endpoint_id))];
    const endpoints = await lockEndpoints(write, endpointIds);
    const now = context.clock.now();

    const recorded: RecordedAttempt[] = [];
    const verdicts: Array<AttemptVerdict | null> = [];
    for (const attempt of attempts) {
      const delivery = deliveries.get(attempt.deliveryId);
      if (delivery?.status !== 'pending' || delivery.lease_owner !== attempt.owner) {
        verdicts.push(null);
        continue;
      }
      const endpoint = endpoints.get(delivery.endpoint_id);
      const change = decide(context, { delivery, endpoint, attempt, now, random });
      if (endpoint) await updateEndpointHealth(context, write, endpoint, attempt, change);
      recorded.push({ delivery, attempt, change });
      verdicts.push({
        outcome: change.outcome,
        attemptNumber: delivery.attempt_count + 1,
        nextAttemptAt: change.nextAttemptAt,
        disabledReason: change.disabledReason,
      });
    }

    await writeOutcomes(context, write, recorded, now);
    return verdicts;
  });
}

/**
 * Marks a delivery failed without sending it, because its endpoint was deleted or disabled
 * while it waited. No attempt is recorded: nothing was sent. Resolves false when the lease is
 * no longer ours.
 */
export async function failUnsent(
  context: Pick<AppContext, 'database' | 'clock'>,
  deliveryId: string,
  owner: string,
): Promise<boolean> {
  const now = context.clock.now();
  const result = await context.database.db
    .updateTable('deliveries')
    .set({
      status: 'failed',
      next_attempt_at: null,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: now,
    })
    .where('id', '=', deliveryId)
    .where('lease_owner', '=', owner)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

interface Decision {
  delivery: DeliveryRow;
  endpoint: WebhookEndpointTable | undefined;
  attempt: FinishedAttempt;
  now: number;
  random: () => number;
}

/** The delivery's next state; the HTTP outcome policy itself lives in outcomes.ts. */
function decide(context: RecordContext, decision: Decision): DeliveryChange {
  const { delivery, endpoint, attempt, now, random } = decision;
  const { result } = attempt;
  const settings = context.config.webhooks;
  const verdict = classifyAttempt({ statusCode: result.statusCode, errorKind: result.errorKind });

  if (verdict === 'success') {
    return { status: 'succeeded', nextAttemptAt: null, outcome: 'succeeded', disabledReason: null };
  }
  const disabledReason = reasonToDisable(endpoint, verdict, now, settings.disableAfterMs);
  if (disabledReason !== null) return failed('endpoint_disabled', disabledReason);
  if (verdict === 'disable') return failed('failed', null);

  const next = planRetry({
    schedule: settings.retrySchedule,
    attemptsInWindow: delivery.attempt_count + 1 - delivery.retry_attempt_base,
    windowStartedAt: delivery.retry_origin_at,
    now,
    random,
    retryAfterMs: verdict === 'retry-after' ? result.retryAfterMs : null,
  });
  if (next === null) return failed('failed', null);
  return { status: 'pending', nextAttemptAt: next, outcome: 'retrying', disabledReason: null };
}

/**
 * Why a failed attempt switches its endpoint off: the receiver said 410 Gone, or the endpoint
 * has not had a success for `disableAfterMs`. The first failure only starts that clock.
 */
function reasonToDisable(
  endpoint: WebhookEndpointTable | undefined,
  verdict: Outcome,
  now: number,
  disableAfterMs: number,
): string | null {
  // An endpoint already switched off (or deleted) has nothing left to disable.
  if (endpoint?.enabled !== 1) return null;
  if (verdict === 'disable') return GONE_REASON;
  const since = endpoint.failing_since;
  if (since !== null && now - since >= disableAfterMs) return failingReason(since, disableAfterMs);
  return null;
}

function failed(outcome: AttemptOutcome, disabledReason: string | null): DeliveryChange {
  return { status: 'failed', nextAttemptAt: null, outcome, disabledReason };
}

/**
 * A success ends the endpoint's run of failures; a failure starts one (or continues it);
 * a decision to disable switches the endpoint off and announces it. `endpoint` is updated in
 * place, so the next attempt of the same batch is judged against the endpoint as it now is.
 */
async function updateEndpointHealth(
  context: RecordContext,
  write: WriteContext,
  endpoint: WebhookEndpointTable,
  attempt: FinishedAttempt,
  change: DeliveryChange,
): Promise<void> {
  if (change.disabledReason !== null) {
    await disableEndpoint(context, write, endpoint.id, change.disabledReason);
    endpoint.enabled = 0;
    endpoint.disabled_reason = change.disabledReason;
    return;
  }
  const failingSince = change.status === 'succeeded' ? null : attempt.attemptedAt;
  if ((endpoint.failing_since === null) === (failingSince === null)) return;
  await write.trx
    .updateTable('webhook_endpoints')
    .set({ failing_since: failingSince })
    .where('id', '=', endpoint.id)
    .execute();
  endpoint.failing_since = failingSince;
}

/**
 * The batch's deliveries by id; the caller checks that each is still pending and leased to it.
 * Only the primary key is in the query: with `status` or `lease_owner` there too, SQLite's
 * planner (which has no statistics) walks the status index over every pending delivery.
 */
async function lockDeliveries(
  write: WriteContext,
  attempts: readonly FinishedAttempt[],
): Promise<Map<string, DeliveryRow>> {
  const ids = attempts.map((attempt) => attempt.deliveryId);
  const rows = await deliveriesToRecord.rows(write, ids.length, ids);
  return new Map(rows.map((row) => [row.id, row]));
}

/** The `size` deliveries whose ids are the arguments, locked in id order on PostgreSQL. */
const deliveriesToRecord = prepareQuery((db, _param, size, dialect) => {
  const query = db
    .selectFrom('deliveries')
    .selectAll()
    .where('id', 'in', placeholderList<string>(0, size))
    .orderBy('id');
  return dialect === 'postgres' ? query.forUpdate() : query;
});

/** The endpoints by id, locked in id order so that concurrent batches cannot deadlock. */
async function lockEndpoints(
  write: WriteContext,
  endpointIds: string[],
): Promise<Map<string, WebhookEndpointTable>> {
  if (endpointIds.length === 0) return new Map();
  const rows = await endpointsToRecord.rows(write, endpointIds.length, endpointIds);
  return new Map(rows.map((row) => [row.id, row]));
}

const endpointsToRecord = prepareQuery((db, _param, size, dialect) => {
  const query = db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', 'in', placeholderList<string>(0, size))
    .orderBy('id');
  return dialect === 'postgres' ? query.forUpdate() : query;
});

/** How many values each delivery contributes to the list of changes. */
const CHANGE_WIDTH = 5;

/**
 * Inserts the attempt rows and writes every delivery's new state. On PostgreSQL both go in one
 * statement, one round trip to the server; on SQLite, which has no round trips and no
 * data-modifying `with`, in two.
 */
async function writeOutcomes(
  context: RecordContext,
  write: WriteContext,
  recorded: readonly RecordedAttempt[],
  now: number,
): Promise<void> {
  if (recorded.length === 0) return;
  const changes = changeValues(recorded, now);
  const attempts = attemptValues(
    context.ids,
    recorded.map(({ attempt }) => attempt),
  );
  if (write.dialect === 'postgres') {
    await insertAttemptsAndApplyChanges.execute(write, recorded.length, [...changes, ...attempts]);
    return;
  }
  await insertAttempts.execute(write, recorded.length, attempts);
  await applyChanges.execute(write, recorded.length, changes);
}

/**
 * `now`, then each delivery's change: id, status, next_attempt_at, attempt_count,
 * last_attempt_at.
 */
function changeValues(recorded: readonly RecordedAttempt[], now: number): unknown[] {
  const values: unknown[] = [now];
  for (const { delivery, attempt, change } of recorded) {
    values.push(
      delivery.id,
      change.status,
      change.nextAttemptAt,
      delivery.attempt_count + 1,
      attempt.attemptedAt,
    );
  }
  return values;
}

/**
 * The `with` list of `size` changes (id, status, next_attempt_at, attempt_count,
 * last_attempt_at) from argument 1 on, and the update that applies them at `now` (argument 0).
 * Each value is cast so that PostgreSQL knows the list's column types.
 */
function changesUpdate(size: number) {
  const changes = Array.from({ length: size }, (_, index) => {
    const [id, status, next, count, last] = placeholderList(1 + index * CHANGE_WIDTH, CHANGE_WIDTH);
    return sql`(cast(${id} as text), cast(${status} as text), cast(${next} as bigint),
      cast(${count} as integer), cast(${last} as bigint))`;
  });
  return {
    changed: sql`changed (id, status, next_attempt_at, attempt_count, last_attempt_at) as (
      values ${sql.join(changes)}
    )`,
    update: sql`
      update deliveries
      set status = changed.status,
          next_attempt_at = changed.next_attempt_at,
          attempt_count = changed.attempt_count,
          last_attempt_at = changed.last_attempt_at,
          lease_owner = null,
          lease_expires_at = null,
          updated_at = ${placeholder(0)}
      from changed
      where deliveries.id = changed.id`,
  };
}

const insertAttempts = prepareQuery((_db, _param, size) => attemptInsert(size, 0));

const applyChanges = prepareQuery((_db, _param, size) => {
  const { changed, update } = changesUpdate(size);
  return sql`with ${changed} ${update}`;
});

/** Both in one statement: the changes' arguments first, then the attempt rows'. */
const insertAttemptsAndApplyChanges = prepareQuery((_db, _param, size) => {
  const { changed, update } = changesUpdate(size);
  const inserted = attemptInsert(size, 1 + size * CHANGE_WIDTH);
  return sql`with inserted as (${inserted}), ${changed} ${update}`;
});
