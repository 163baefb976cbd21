/**
 * Subscriptions: which plan a user pays for and whether billing is in good standing. Billing
 * systems follow them through `subscription.*` events, so every change of plan or status records
 * exactly one event and a change that changes nothing records none.
 *
 * Canceling is final: a canceled subscription keeps its row (and its history) but refuses
 * further changes; a returning customer gets a new subscription.
 */

import type { Kysely } from 'kysely';
import {
  applyUpdateWindow,
  type Page,
  pageOfWindow,
  resolveUpdateWindow,
  type WindowQuery,
} from '../api/pagination.js';
import { conflict, notFound, unprocessable } from '../api/problem.js';
import type { AppContext, WriteServices } from '../context.js';
import type { Schema, SubscriptionTable } from '../db/schema.js';
import { transact, type WriteContext } from '../db/transaction.js';
import { recordEvent } from '../events/outbox.js';
import { toIso } from '../shared/clock.js';
import { changedFields } from './changes.js';
import { lockedOn } from './row-lock.js';

/** Every status a subscription can be in. */
export const SUBSCRIPTION_STATUSES = ['active', 'past_due', 'canceled'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** The statuses a caller may set directly; `canceled` is reached only through cancel. */
export const SETTABLE_STATUSES = ['active', 'past_due'] as const;
export type SettableStatus = (typeof SETTABLE_STATUSES)[number];

/** What a plan name may look like: a short lowercase slug such as `pro` or `team.annual`. */
export const PLAN_PATTERN = '^[a-z0-9][a-z0-9_.-]{0,63}$';

/** A subscription as the API shows it. */
export interface SubscriptionView {
  id: string;
  userId: string;
  plan: string;
  status: string;
  canceledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What starting a subscription takes; the status defaults to `active`. */
export interface NewSubscription {
  userId: string;
  plan: string;
  status?: SettableStatus;
}

/** The fields a PATCH may change; absent fields stay as they are. */
export interface SubscriptionPatch {
  plan?: string;
  status?: SettableStatus;
}

/** Filters and paging of a subscription list. */
export interface SubscriptionListQuery extends WindowQuery {
  userId?: string;
  status?: SubscriptionStatus;
  plan?: string;
}

type Context = WriteServices;

/** The API view of a stored subscription. */
export function viewSubscription(row: SubscriptionTable): SubscriptionView {
  return {
    id: row.id,
    userId: row.user_id,
    plan: row.plan,
    status: row.status,
    canceledAt: toIso(row.canceled_at),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

/**
 * Reads a subscription about to change, locked until commit, or answers 404. Without the lock two
 * concurrent cancels would both see it active and record two `subscription.canceled` events.
 */
async function lockSubscription(write: WriteContext, id: string): Promise<SubscriptionTable> {
  const row = await lockedOn(
    write,
    write.trx.selectFrom('subscriptions').selectAll().where('id', '=', id),
  ).executeTakeFirst();
  if (!row) throw notFound('Subscription', id);
  return row;
}

async function isLiveUser(db: Kysely<Schema>, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

function refuseIfCanceled(row: SubscriptionTable): void {
  if (row.status === 'canceled') {
    throw conflict(
      `Subscription ${row.id} was canceled and can no longer change; create a new subscription instead.`,
    );
  }
}

/** Starts a subscription for a live user. */
export async function createSubscription(
  context: Context,
  input: NewSubscription,
): Promise<SubscriptionView> {
  return transact(context.database, async (write) => {
    if (!(await isLiveUser(write.trx, input.userId))) {
      throw unprocessable(
        'unknown-user',
        `User ${input.userId} does not exist or was deleted; create the user first.`,
      );
    }

    const now = context.clock.now();
    const row: SubscriptionTable = {
      id: context.ids.next('subscription'),
      user_id: input.userId,
      plan: input.plan,
      status: input.status ?? 'active',
      canceled_at: null,
      created_at: now,
      updated_at: now,
    };
    await write.trx.insertInto('subscriptions').values(row).execute();
    await recordEvent(context, write, 'subscription.created', {
      subscriptionId: row.id,
      userId: row.user_id,
      plan: row.plan,
      status: row.status,
    });
    return viewSubscription(row);
  });
}

/** Reads one subscription, canceled ones included. */
export async function getSubscription(
  context: Pick<AppContext, 'database'>,
  id: string,
): Promise<SubscriptionView> {
  const row = await context.database.db
    .selectFrom('subscriptions')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('Subscription', id);
  return viewSubscription(row);
}

/** Changes the plan or status; a canceled subscription answers 409. */
export async function updateSubscription(
  context: Context,
  id: string,
  patch: SubscriptionPatch,
): Promise<SubscriptionView> {
  return transact(context.database, async (write) => {
    const current = await lockSubscription(write, id);
    refuseIfCanceled(current);
    const changed = changedFields({ plan: current.plan, status: current.status }, patch);
    if (changed.length === 0) return viewSubscription(current);

    const row: SubscriptionTable = {
      ...current,
      plan: patch.plan ?? current.plan,
      status: patch.status ?? current.status,
      updated_at: context.clock.now(),
    };
    await write.trx.updateTable('subscriptions').set(row).where('id', '=', id).execute();
    await recordEvent(context, write, 'subscription.updated', {
      subscriptionId: id,
      userId: row.user_id,
      changed,
    });
    return viewSubscription(row);
  });
}

/** Cancels a subscription; canceling one that is already canceled answers 409. */
export async function cancelSubscription(context: Context, id: string): Promise<SubscriptionView> {
  return transact(context.database, async (write) => {
    const current = await lockSubscription(write, id);
    refuseIfCanceled(current);

    const now = context.clock.now();
    const row: SubscriptionTable = {
      ...current,
      status: 'canceled',
      canceled_at: now,
      updated_at: now,
    };
    await write.trx.updateTable('subscriptions').set(row).where('id', '=', id).execute();
    await recordEvent(context, write, 'subscription.canceled', {
      subscriptionId: id,
      userId: row.user_id,
    });
    return viewSubscription(row);
  });
}

/** Lists subscriptions, filtered, in update order. */
export async function listSubscriptions(
  context: Pick<AppContext, 'database' | 'clock'>,
  query: SubscriptionListQuery,
): Promise<Page<SubscriptionView>> {
  const window = resolveUpdateWindow(query, context.clock.now());
  let select = context.database.db.selectFrom('subscriptions').selectAll();
  if (query.userId !== undefined) select = select.where('user_id', '=', query.userId);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  if (query.plan !== undefined) select = select.where('plan', '=', query.plan);
  const rows = await applyUpdateWindow(select, window, 'subscriptions').execute();
  return pageOfWindow(rows, window, viewSubscription);
}

/** Lists one live user's subscriptions; an unknown or deleted user answers 404. */
export async function listUserSubscriptions(
  context: Pick<AppContext, 'database' | 'clock'>,
  userId: string,
  query: Omit<SubscriptionListQuery, 'userId'>,
): Promise<Page<SubscriptionView>> {
  if (!(await isLiveUser(context.database.db, userId))) throw notFound('User', userId);
  return listSubscriptions(context, { ...query, userId });
}
