/**
 * Recording a finished attempt and applying what it means, in one transaction: the attempt
 * row, the delivery's new state (done, retry later, or given up) and the endpoint's health
 * (recovered, failing, or disabled with an event that says so).
 *
 * Every write is conditional on the lease still being ours. A dispatcher that stalled past its
 * lease finds the delivery taken over (or released on shutdown) and writes nothing, so the
 * delivery never ends up with two competing results.
 */
import type { AppContext } from '../context.js';
import type { WebhookEndpointTable } from '../db/schema.js';
import { transact, type WriteContext } from '../db/transaction.js';
import { disableEndpoint, failingReason, GONE_REASON } from './auto-disable.js';
import type { DeliveryRow } from './claim.js';
import type { AttemptOutcome } from './metrics.js';
import { classifyAttempt, type Outcome } from './outcomes.js';
import { planRetry } from './retry-schedule.js';
import type { SendResult } from './sender.js';

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

/**
 * Records `attempt` and applies its outcome. Resolves null, having written nothing, when the
 * lease is no longer ours.
 */
export async function recordAttempt(
  context: RecordContext,
  attempt: FinishedAttempt,
  random: () => number,
): Promise<AttemptVerdict | null> {
  return transact(context.database, async (write) => {
    const delivery = await lockOwnDelivery(write, attempt.deliveryId, attempt.owner);
    if (!delivery) return null;
    const endpoint = await lockEndpoint(write, delivery.endpoint_id);
    const now = context.clock.now();

    await insertAttemptRow(context, write, attempt);
    const change = decide(context, { delivery, endpoint, attempt, now, random });
    await write.trx
      .updateTable('deliveries')
      .set({
        status: change.status,
        next_attempt_at: change.nextAttemptAt,
        attempt_count: delivery.attempt_count + 1,
        last_attempt_at: attempt.attemptedAt,
        lease_owner: null,
        lease_expires_at: null,
        updated_at: now,
      })
      .where('id', '=', delivery.id)
      .execute();
    if (endpoint) await updateEndpointHealth(context, write, endpoint, attempt, change);

    return {
      outcome: change.outcome,
      attemptNumber: delivery.attempt_count + 1,
      nextAttemptAt: change.nextAttemptAt,
      disabledReason: change.disabledReason,
    };
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
 * a decision to disable switches the endpoint off and announces it.
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
    return;
  }
  const failingSince = change.status === 'succeeded' ? null : attempt.attemptedAt;
  if ((endpoint.failing_since === null) === (failingSince === null)) return;
  await write.trx
    .updateTable('webhook_endpoints')
    .set({ failing_since: failingSince })
    .where('id', '=', endpoint.id)
    .execute();
}

async function lockOwnDelivery(
  write: WriteContext,
  deliveryId: string,
  owner: string,
): Promise<DeliveryRow | undefined> {
  let query = write.trx
    .selectFrom('deliveries')
    .selectAll()
    .where('id', '=', deliveryId)
    .where('lease_owner', '=', owner)
    .where('status', '=', 'pending');
  if (write.dialect === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

async function lockEndpoint(
  write: WriteContext,
  endpointId: string,
): Promise<WebhookEndpointTable | undefined> {
  let query = write.trx.selectFrom('webhook_endpoints').selectAll().where('id', '=', endpointId);
  if (write.dialect === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

async function insertAttemptRow(
  context: RecordContext,
  write: WriteContext,
  attempt: FinishedAttempt,
): Promise<void> {
  const { result } = attempt;
  await write.trx
    .insertInto('delivery_attempts')
    .values({
      id: context.ids.next('attempt'),
      delivery_id: attempt.deliveryId,
      attempted_at: attempt.attemptedAt,
      duration_ms: Math.max(0, Math.round(result.durationMs)),
      status_code: result.statusCode,
      error_kind: result.errorKind,
      request_headers: JSON.stringify(attempt.requestHeaders),
      response_headers: JSON.stringify(result.headers),
      response_body: result.body,
    })
    .execute();
}
