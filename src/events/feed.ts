/**
 * The read side of the event log: `GET /v2/events` pages through committed events in ascending
 * `seq`. A page never goes past a `seq` that may still commit (see `committedHorizon`), so a
 * reader that resumes after the last seq it saw never skips an event that commits later.
 *
 * Unlike resource lists, the feed is also tailed: a page that is not full still carries a
 * cursor, and polling with it returns the events committed since.
 */
import { sql } from 'kysely';
import {
  DEFAULT_LIMIT,
  decodeCursor,
  encodeCursor,
  type Page,
  parseInstant,
} from '../api/pagination.js';
import { ApiProblem, badRequest } from '../api/problem.js';
import type { AppContext } from '../context.js';
import { type EventType, isEventType } from './catalog.js';
import { type EventEnvelope, envelopeFromRow } from './envelope.js';
import { eventOrderLock } from './outbox.js';

/** The query of one feed page, as the route received it. */
export interface FeedQuery {
  /** Comma-separated event types; all types when absent. */
  types?: string;
  /** ISO instant, inclusive, on the event timestamp. */
  since?: string;
  /** ISO instant, exclusive, on the event timestamp. */
  until?: string;
  limit?: number;
  cursor?: string;
}

interface FeedCursor {
  /** The seq of the last event the reader has seen. */
  q: number;
}

function isFeedCursor(value: unknown): value is FeedCursor {
  if (typeof value !== 'object' || value === null) return false;
  const seq = (value as Record<string, unknown>).q;
  return Number.isSafeInteger(seq) && (seq as number) >= 0;
}

/** Parses `types=a,b`; an unknown type is a 400 that names it. */
export function parseEventTypes(text: string): EventType[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) {
    throw badRequest('types is empty: pass event types separated by commas, or leave it out.');
  }
  const unknown = names.find((name) => !isEventType(name));
  if (unknown !== undefined) {
    throw badRequest(
      `"${unknown}" is not an event type; GET /v2/event-types lists the types that exist.`,
    );
  }
  return [...new Set(names)] as EventType[];
}

/**
 * The highest `seq` below which every event has committed or rolled back, on PostgreSQL, where
 * event transactions commit concurrently: the exclusive event-order lock waits for every event
 * transaction that drew a `seq` (each holds the lock in shared mode until it ends; see
 * src/events/outbox.ts), and the sequence's value is read while it is held. A transaction that
 * starts after that draws a higher `seq`. Undefined on SQLite, where a transaction that wrote an
 * event is visible whole or not at all and one writer at a time commits in `seq` order.
 */
async function committedHorizon(
  context: Pick<AppContext, 'database'>,
  waitMs: number,
): Promise<number | undefined> {
  if (context.database.dialect !== 'postgres') return undefined;
  try {
    return await context.database.db.transaction().execute(async (trx) => {
      // A transaction that stays open after writing an event would hold the read, and the
      // event writes queued behind it, for as long as it lasts: give up after `waitMs`.
      await sql`select set_config('lock_timeout', ${`${waitMs}ms`}, true)`.execute(trx);
      const { rows } = await sql<{ horizon: number | null }>`
        with barrier as materialized (select pg_advisory_xact_lock(${eventOrderLock}))
        select (
          select pg_sequence_last_value(pg_get_serial_sequence('events', 'seq')::regclass)
        ) as horizon
        from barrier`.execute(trx);
      return Number(rows[0]?.horizon ?? 0);
    });
  } catch (error) {
    if ((error as { code?: unknown }).code !== LOCK_NOT_AVAILABLE) throw error;
    throw new ApiProblem(
      503,
      'feed-busy',
      `An event is being written by a transaction that has been open for more than ${waitMs} ms; the feed cannot tell what follows it yet. Retry in a second.`,
      { retryAfter: 1 },
    );
  }
}

/** PostgreSQL's SQLSTATE when `lock_timeout` runs out. */
const LOCK_NOT_AVAILABLE = '55P03';

/** How long a feed read waits for event transactions in progress (PostgreSQL). */
export const FEED_WAIT_MS = 3000;

/** Reads one page of the feed after the cursor's position. */
export async function readEventFeed(
  context: Pick<AppContext, 'database'>,
  query: FeedQuery,
  options: { waitMs?: number } = {},
): Promise<Page<EventEnvelope>> {
  const types = query.types === undefined ? undefined : parseEventTypes(query.types);
  const since = query.since === undefined ? undefined : parseInstant('since', query.since);
  const until = query.until === undefined ? undefined : parseInstant('until', query.until);
  if (since !== undefined && until !== undefined && since > until) {
    throw badRequest('since must not be later than until.');
  }
  const afterSeq = query.cursor === undefined ? 0 : decodeCursor(query.cursor, isFeedCursor).q;
  const limit = query.limit ?? DEFAULT_LIMIT;

  const horizon = await committedHorizon(context, options.waitMs ?? FEED_WAIT_MS);
  let select = context.database.db
    .selectFrom('events')
    .select(['seq', 'id', 'type', 'data', 'created_at'])
    .where('seq', '>', afterSeq);
  if (horizon !== undefined) select = select.where('seq', '<=', horizon);
  if (types !== undefined) select = select.where('type', 'in', types);
  if (since !== undefined) select = select.where('created_at', '>=', since);
  if (until !== undefined) select = select.where('created_at', '<', until);
  const rows = await select
    .orderBy('seq', 'asc')
    .limit(limit + 1)
    .execute();

  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  // Always a cursor, even on an empty page: a tailing client polls with it for newer events.
  const lastSeq = pageRows.at(-1)?.seq ?? afterSeq;
  return {
    data: pageRows.map(envelopeFromRow),
    pageInfo: { cursor: encodeCursor({ q: lastSeq }), hasMore },
  };
}
