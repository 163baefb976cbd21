/**
 * A cheap fingerprint of everything a request could change: per table, the row count and the
 * column that moves on every write. Equal fingerprints before and after a refused request mean
 * it wrote nothing, not even half of a change.
 *
 * Left out on purpose: `idempotency_keys`, because a refused POST with an Idempotency-Key is
 * stored so that its retry is answered the same way, and `api_keys.last_used_at`, which the auth
 * hook writes in the background at most once a minute per key whatever the answer.
 */
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';

/** The tables a request may write, and the expressions that change when a row does. */
const WATCHED: Record<string, string[]> = {
  users: ['count(*)', 'max(updated_at)', 'count(deleted_at)'],
  courses: ['count(*)', 'max(updated_at)'],
  enrollments: ['count(*)', 'max(updated_at)'],
  certifications: ['count(*)', 'max(updated_at)', 'count(revoked_at)'],
  subscriptions: ['count(*)', 'max(updated_at)'],
  events: ['count(*)', 'max(seq)'],
  webhook_endpoints: ['count(*)', 'max(updated_at)'],
  deliveries: ['count(*)', 'max(updated_at)'],
  delivery_attempts: ['count(*)', 'max(attempted_at)'],
  api_keys: ['count(*)', 'max(created_at)', 'count(revoked_at)', 'max(revoked_at)'],
};

/** `table.expression` → its value as text (null for an empty table's max). */
export type Fingerprint = Record<string, string | null>;

const columns = Object.entries(WATCHED).flatMap(([table, expressions]) =>
  expressions.map((expression) => ({
    label: `${table}.${expression}`,
    select: `(select ${expression} from ${table})`,
  })),
);
// One round trip for the whole fingerprint; the aliases are positional so that no expression
// has to be quoted as a name.
const QUERY = `select ${columns.map((column, i) => `${column.select} as c${i}`).join(', ')}`;

/** Reads the fingerprint of `database` in one query. */
export async function databaseFingerprint(database: Database): Promise<Fingerprint> {
  const result = await sql<Record<string, unknown>>`${sql.raw(QUERY)}`.execute(database.db);
  const row = result.rows[0] ?? {};
  const fingerprint: Fingerprint = {};
  columns.forEach((column, i) => {
    const value = row[`c${i}`];
    // PostgreSQL answers count and max over bigint as text, SQLite as numbers.
    fingerprint[column.label] = value === null || value === undefined ? null : String(value);
  });
  return fingerprint;
}

/** The entries that differ between two fingerprints, as `label: before → after` lines. */
export function fingerprintChanges(before: Fingerprint, after: Fingerprint): string[] {
  return Object.keys(before)
    .filter((label) => before[label] !== after[label])
    .map((label) => `${label}: ${before[label]} → ${after[label]}`);
}
