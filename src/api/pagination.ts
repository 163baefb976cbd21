/**
 * Cursor pages. A cursor is opaque to the caller (base64url of a small JSON object) and is
 * checked on the way back in, so a forged or truncated one is a 400, never a 500.
 *
 * Resource lists page by `(updated_at, id)` inside a window whose upper bound is pinned when
 * the first page is read. A row that changes while a client pages moves past that bound, so one
 * window never returns a row twice, and the next window (`updatedSince` = this `updatedUntil`)
 * picks up its new version: consecutive windows together return every row exactly once.
 */
import { type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import { badRequest } from './problem.js';

export interface PageInfo {
  cursor: string | null;
  hasMore: boolean;
}

export interface Page<T> {
  data: T[];
  pageInfo: PageInfo;
}

export const DEFAULT_LIMIT = 25;

/** Encodes a cursor. */
export function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Decodes a cursor, answering 400 unless `isValid` accepts what it holds. */
export function decodeCursor<T>(text: string, isValid: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!isValid(value)) {
    throw badRequest(
      'The cursor is not valid: pass the pageInfo.cursor of the previous page as is.',
    );
  }
  return value;
}

/** The bounds of one page of an update-ordered list. */
export interface UpdateWindow {
  /** Inclusive lower bound on updated_at, if any. */
  since: number | null;
  /** Exclusive upper bound on updated_at, pinned at the first page. */
  until: number;
  /** The last row of the previous page. */
  after: { updatedAt: number; id: string } | null;
  limit: number;
}

interface WindowCursor {
  s: number | null;
  t: number;
  u: number;
  i: string;
}

const CURSOR_ID = /^[a-z]+_[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Whether a cursor's id is a row id; anything else (a NUL byte, say, which PostgreSQL cannot
 * even compare) means a forged cursor.
 */
export function isCursorId(value: unknown): value is string {
  return typeof value === 'string' && CURSOR_ID.test(value);
}

function isWindowCursor(value: unknown): value is WindowCursor {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    (v.s === null || Number.isSafeInteger(v.s)) &&
    Number.isSafeInteger(v.t) &&
    Number.isSafeInteger(v.u) &&
    isCursorId(v.i)
  );
}

export interface WindowQuery {
  limit?: number;
  cursor?: string;
  updatedSince?: string;
  updatedUntil?: string;
}

/**
 * Epoch milliseconds of an ISO 8601 query value, or a 400 naming the parameter. The date-time
 * format lets through instants a Date cannot hold (a leap second, `23:59:60`), and NaN must not
 * reach a query: PostgreSQL refuses it as a bigint.
 */
export function parseInstant(name: string, text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    throw badRequest(
      `${name} is not an instant Lyceum can use: send ISO 8601 such as 2026-01-31T12:00:00Z (no leap second).`,
    );
  }
  return ms;
}

/** Works out the window of this page from the query (first page) or the cursor (later ones). */
export function resolveUpdateWindow(query: WindowQuery, now: number): UpdateWindow {
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (query.cursor !== undefined) {
    const cursor = decodeCursor(query.cursor, isWindowCursor);
    return {
      since: cursor.s,
      until: cursor.t,
      after: { updatedAt: cursor.u, id: cursor.i },
      limit,
    };
  }

  const since =
    query.updatedSince === undefined ? null : parseInstant('updatedSince', query.updatedSince);
  // Without an explicit bound the window ends just after the current millisecond, so a row
  // written a moment before the request is in the answer.
  const until =
    query.updatedUntil === undefined ? now + 1 : parseInstant('updatedUntil', query.updatedUntil);
  if (since !== null && since > until) {
    throw badRequest('updatedSince must not be later than updatedUntil.');
  }
  return { since, until, after: null, limit };
}

/** Restricts a query on a table with `updated_at` and `id` to one page of `window`. */
export function applyUpdateWindow<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  window: UpdateWindow,
  table: string,
): SelectQueryBuilder<DB, TB, O> {
  const updatedAt = sql.ref(`${table}.updated_at`);
  const id = sql.ref(`${table}.id`);
  let q = query.where(sql<SqlBool>`${updatedAt} < ${window.until}`);
  if (window.since !== null) q = q.where(sql<SqlBool>`${updatedAt} >= ${window.since}`);
  if (window.after) {
    q = q.where(
      sql<SqlBool>`(${updatedAt}, ${id}) > (${window.after.updatedAt}, ${window.after.id})`,
    );
  }
  return q
    .orderBy(sql`${updatedAt}`, 'asc')
    .orderBy(sql`${id}`, 'asc')
    .limit(window.limit + 1);
}

/** Turns the `limit + 1` rows of applyUpdateWindow into a page of views. */
export function pageOfWindow<Row extends { id: string; updated_at: number }, View>(
  rows: Row[],
  window: UpdateWindow,
  view: (row: Row) => View,
): Page<View> {
  const hasMore = rows.length > window.limit;
  const pageRows = hasMore ? rows.slice(0, window.limit) : rows;
  const last = pageRows.at(-1);
  const cursor =
    hasMore && last
      ? encodeCursor({ s: window.since, t: window.until, u: last.updated_at, i: last.id })
      : null;
  return { data: pageRows.map(view), pageInfo: { cursor, hasMore } };
}
