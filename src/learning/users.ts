/**
 * Users: the learners and staff of a Lyceum. Provisioned from a CRM (with upsert on email),
 * updated, listed for export and deleted. Deletion is soft: the row stays so that enrollments
 * and certifications keep their owner, but the user is gone from reads and lists and the email
 * is free for a new account.
 */

import {
  applyUpdateWindow,
  type Page,
  pageOfWindow,
  resolveUpdateWindow,
  type WindowQuery,
} from '../api/pagination.js';
import { conflict, notFound } from '../api/problem.js';
import type { AppContext, WriteServices } from '../context.js';
import { isUniqueViolation } from '../db/errors.js';
import { prepareRead } from '../db/prepared-read.js';
import type { UserTable } from '../db/schema.js';
import { transact, type WriteContext } from '../db/transaction.js';
import { recordEvent } from '../events/outbox.js';
import { toIso } from '../shared/clock.js';
import { changedFields } from './changes.js';
import { lockedOn } from './row-lock.js';

export const USER_ROLES = ['learner', 'instructor', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface UserView {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  externalCustomerId: string | null;
  role: string;
  createdAt: string;
  updatedAt: string;
}

export interface UserFields {
  email: string;
  firstName: string;
  lastName: string;
  externalCustomerId: string | null;
  role: UserRole;
}

export type NewUser = Pick<UserFields, 'email' | 'firstName' | 'lastName'> &
  Partial<Pick<UserFields, 'externalCustomerId' | 'role'>> & { upsert?: boolean };

export interface UserListQuery extends WindowQuery {
  email?: string;
  externalCustomerId?: string;
}

type Context = WriteServices;

/** Emails compare without regard to case or surrounding space. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function viewUser(row: UserTable): UserView {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    externalCustomerId: row.external_customer_id,
    role: row.role,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

function fieldsOf(row: UserTable): UserFields {
  return {
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    externalCustomerId: row.external_customer_id,
    role: row.role as UserRole,
  };
}

/** Reads and locks a live user inside a transaction, or answers 404. */
export async function requireUser(write: WriteContext, id: string): Promise<UserTable> {
  const query = write.trx
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  const row = await lockedOn(write, query).executeTakeFirst();
  if (!row) throw notFound('User', id);
  return row;
}

/**
 * Creates a user. With `upsert`, a live user with the same email is updated instead and
 * `created` is false, which is what a CRM provisioning call that may repeat needs.
 */
export async function createUser(
  context: Context,
  input: NewUser,
): Promise<{ user: UserView; created: boolean }> {
  const email = normalizeEmail(input.email);
  try {
    return await transact(context.database, async (write) => {
      const existing = await write.trx
        .selectFrom('users')
        .selectAll()
        .where('email', '=', email)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (existing && !input.upsert) {
        throw conflict(
          `A user with email ${email} already exists (${existing.id}); pass "upsert": true to update it instead.`,
        );
      }
      if (existing) {
        const { upsert: _upsert, ...patch } = input;
        const user = await applyUserPatch(context, write, existing, { ...patch, email });
        return { user, created: false };
      }

      const now = context.clock.now();
      const row: UserTable = {
        id: context.ids.next('user'),
        email,
        first_name: input.firstName,
        last_name: input.lastName,
        external_customer_id: input.externalCustomerId ?? null,
        role: input.role ?? 'learner',
        created_at: now,
        updated_at: now,
        deleted_at: null,
      };
      await write.trx.insertInto('users').values(row).execute();
      await recordEvent(context, write, 'user.created', { userId: row.id });
      return { user: viewUser(row), created: true };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw conflict(
        `A user with email ${email} was created at the same moment; retry the request.`,
      );
    }
    throw error;
  }
}

/** A live user by id: the read behind `GET /v2/users/:id`, compiled once. */
const liveUserById = prepareRead<[id: string], UserTable>((db, param) =>
  db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', param<string>(0))
    .where('deleted_at', 'is', null),
);

/**
 * Reads one live user, at once when the read is (on SQLite, unless a transaction holds the
 * connection) and as a promise otherwise, so that `GET /v2/users/:id` can answer without one.
 */
export function readUser(
  context: Pick<AppContext, 'database'>,
  id: string,
): UserView | Promise<UserView> {
  const row = liveUserById.first(context.database, id);
  return row instanceof Promise ? row.then((found) => liveUser(found, id)) : liveUser(row, id);
}

/** Reads one live user. */
export async function getUser(
  context: Pick<AppContext, 'database'>,
  id: string,
): Promise<UserView> {
  return readUser(context, id);
}

function liveUser(row: UserTable | undefined, id: string): UserView {
  if (!row) throw notFound('User', id);
  return viewUser(row);
}

/** Changes a user's fields; an update that changes nothing records no event. */
export async function updateUser(
  context: Context,
  id: string,
  patch: Partial<UserFields>,
): Promise<UserView> {
  const normalized =
    patch.email === undefined ? patch : { ...patch, email: normalizeEmail(patch.email) };
  try {
    return await transact(context.database, async (write) => {
      const current = await requireUser(write, id);
      return applyUserPatch(context, write, current, normalized);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw conflict(`Another user already has the email ${normalized.email ?? ''}.`);
    }
    throw error;
  }
}

async function applyUserPatch(
  context: Context,
  write: WriteContext,
  current: UserTable,
  patch: Partial<UserFields>,
): Promise<UserView> {
  const before = fieldsOf(current);
  const changed = changedFields(before, patch);
  if (changed.length === 0) return viewUser(current);

  const after = { ...before, ...patch };
  const row: UserTable = {
    ...current,
    email: after.email,
    first_name: after.firstName,
    last_name: after.lastName,
    external_customer_id: after.externalCustomerId,
    role: after.role,
    updated_at: context.clock.now(),
  };
  await write.trx.updateTable('users').set(row).where('id', '=', current.id).execute();
  await recordEvent(context, write, 'user.updated', {
    userId: current.id,
    changed: changed.map(String),
  });
  return viewUser(row);
}

/** Deletes a user (softly, see the file comment). */
export async function deleteUser(context: Context, id: string): Promise<void> {
  await transact(context.database, async (write) => {
    await requireUser(write, id);
    const now = context.clock.now();
    await write.trx
      .updateTable('users')
      .set({ deleted_at: now, updated_at: now })
      .where('id', '=', id)
      .execute();
    await recordEvent(context, write, 'user.deleted', { userId: id });
  });
}

/** Lists live users, filtered, in update order. */
export async function listUsers(
  context: Pick<AppContext, 'database' | 'clock'>,
  query: UserListQuery,
): Promise<Page<UserView>> {
  const window = resolveUpdateWindow(query, context.clock.now());
  let select = context.database.db.selectFrom('users').selectAll().where('deleted_at', 'is', null);
  if (query.email !== undefined) select = select.where('email', '=', normalizeEmail(query.email));
  if (query.externalCustomerId !== undefined) {
    select = select.where('external_customer_id', '=', query.externalCustomerId);
  }
  const rows = await applyUpdateWindow(select, window, 'users').execute();
  return pageOfWindow(rows, window, viewUser);
}
