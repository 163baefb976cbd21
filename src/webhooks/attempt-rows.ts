/**
 * The rows of `delivery_attempts` as the recorder writes them: their columns, their values and
 * the multi-row insert, shared by the transaction that records any batch and by the single
 * statement that records a batch of successes on PostgreSQL.
 */
import { sql } from 'kysely';
import { placeholder, placeholderList } from '../db/prepared-query.js';
import type { DeliveryAttemptTable } from '../db/schema.js';
import type { IdGenerator } from '../shared/ids.js';
import type { FinishedAttempt } from './attempt-result.js';

/**
 * The columns of an attempt row, in the order `attemptValues` lists their values, with the
 * type PostgreSQL is told where a list of values has no table to say it.
 */
const ATTEMPT_COLUMN_TYPES = {
  id: 'text',
  delivery_id: 'text',
  attempted_at: 'bigint',
  duration_ms: 'integer',
  status_code: 'integer',
  error_kind: 'text',
  request_headers: 'text',
  response_headers: 'text',
  response_body: 'text',
} as const satisfies Partial<Record<keyof DeliveryAttemptTable, string>>;

const ATTEMPT_COLUMNS = Object.keys(ATTEMPT_COLUMN_TYPES) as Array<
  keyof typeof ATTEMPT_COLUMN_TYPES
>;

/** The column list of an attempt row, for `insert into delivery_attempts (…)`. */
export const attemptColumns = sql.join(ATTEMPT_COLUMNS.map((column) => sql.ref(column)));

/** The values of one new attempt row per attempt, in the order of ATTEMPT_COLUMNS. */
export function attemptValues(
  ids: Pick<IdGenerator, 'next'>,
  attempts: readonly FinishedAttempt[],
): unknown[] {
  return attempts.flatMap((attempt) => [
    ids.next('attempt'),
    attempt.deliveryId,
    attempt.attemptedAt,
    Math.max(0, Math.round(attempt.result.durationMs)),
    attempt.result.statusCode,
    attempt.result.errorKind,
    JSON.stringify(attempt.requestHeaders),
    JSON.stringify(attempt.result.headers),
    attempt.result.body,
  ]);
}

/** `size` attempt rows, their values from argument `from` on in the order of ATTEMPT_COLUMNS. */
export function attemptInsert(size: number, from: number) {
  const width = ATTEMPT_COLUMNS.length;
  const rows = Array.from(
    { length: size },
    (_, index) => sql`(${sql.join(placeholderList(from + index * width, width))})`,
  );
  return sql`insert into delivery_attempts (${attemptColumns}) values ${sql.join(rows)}`;
}

/**
 * A `values` list of `size` attempt rows from argument `from` on, each value cast to its
 * column's type.
 */
export function typedAttemptValues(size: number, from: number) {
  const width = ATTEMPT_COLUMNS.length;
  const rows = Array.from({ length: size }, (_, index) => {
    const values = ATTEMPT_COLUMNS.map((column, offset) => {
      const type = sql.raw(ATTEMPT_COLUMN_TYPES[column]);
      return sql`cast(${placeholder(from + index * width + offset)} as ${type})`;
    });
    return sql`(${sql.join(values)})`;
  });
  return sql`values ${sql.join(rows)}`;
}
