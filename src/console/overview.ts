/**
 * The console's overview: how webhook delivery went over the last 24 hours, hour by hour, what
 * is waiting to be sent, and which endpoints need a person.
 *
 * Every figure is computed by the database with SQL that runs unchanged on SQLite and
 * PostgreSQL. Two habits make that work: parameters are cast to bigint before arithmetic
 * (better-sqlite3 binds a JavaScript number as REAL, which would turn bucket division into
 * fractions), and percentiles use the nearest-rank method over `row_number()`, because SQLite
 * has no `percentile_cont`.
 */
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { toIso } from '../shared/clock.js';
import { type EndpointView, viewEndpoint } from '../webhooks/views.js';

/** The width of one chart bucket. */
export const HOUR_MS = 3_600_000;
/** How many buckets the overview covers: the current hour and the 23 before it. */
export const OVERVIEW_HOURS = 24;
/** Endpoints listed as needing attention; the rest are counted. */
const ATTENTION_LIMIT = 50;

/** Delivery counts by current status. */
export interface OutcomeCounts {
  succeeded: number;
  failed: number;
  pending: number;
}

/** Attempts of one period: how many, how many succeeded, and how long they took. */
export interface AttemptStats {
  attempts: number;
  succeeded: number;
  /** succeeded / attempts, or null without attempts. */
  successRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
}

/** One hour of the charts. */
export interface HourBucket extends AttemptStats {
  /** The start of the hour, ISO 8601. */
  start: string;
  /** Deliveries created in this hour, by their status now. */
  deliveries: OutcomeCounts;
}

/** An endpoint that is disabled, or has failed without a success since `failingSince`. */
export interface AttentionEndpoint extends EndpointView {
  failingSince: string | null;
}

export interface Overview {
  generatedAt: string;
  /** [since, until): whole hours, the last one still running. */
  window: { since: string; until: string; bucketMs: number };
  /** Deliveries created in the window, by their status now. */
  deliveries: OutcomeCounts;
  /** Every attempt made in the window. */
  attempts: AttemptStats;
  hours: HourBucket[];
  backlog: {
    /** Pending deliveries whose next attempt is due now and that no dispatcher holds. */
    due: number;
    /** When the longest-waiting due delivery became due. */
    oldestDueAt: string | null;
    /** Pending deliveries a dispatcher is sending right now. */
    inFlight: number;
    /** Pending deliveries waiting for a later retry. */
    scheduled: number;
  };
  endpoints: {
    total: number;
    enabled: number;
    /** Disabled or failing endpoints, failing and most recently disabled first. */
    attention: AttentionEndpoint[];
  };
}

type Context = Pick<AppContext, 'database' | 'clock'>;

/** Computes the overview as of the context's clock. */
export async function readOverview(context: Context): Promise<Overview> {
  const now = context.clock.now();
  const until = (Math.floor(now / HOUR_MS) + 1) * HOUR_MS;
  const since = until - OVERVIEW_HOURS * HOUR_MS;

  const [outcomeRows, hourlyAttempts, totalAttempts, backlog, endpoints] = await Promise.all([
    deliveriesByHour(context, since),
    attemptStats(context, since, until, HOUR_MS),
    attemptStats(context, since, until, until - since),
    readBacklog(context, now),
    readEndpointHealth(context),
  ]);

  const hours: HourBucket[] = [];
  for (let index = 0; index < OVERVIEW_HOURS; index += 1) {
    hours.push({
      start: toIso(since + index * HOUR_MS),
      deliveries: outcomeRows.get(index) ?? emptyOutcomes(),
      ...(hourlyAttempts.get(index) ?? emptyStats()),
    });
  }
  const deliveries = emptyOutcomes();
  for (const hour of hours) {
    deliveries.succeeded += hour.deliveries.succeeded;
    deliveries.failed += hour.deliveries.failed;
    deliveries.pending += hour.deliveries.pending;
  }

  return {
    generatedAt: toIso(now),
    window: { since: toIso(since), until: toIso(until), bucketMs: HOUR_MS },
    deliveries,
    attempts: totalAttempts.get(0) ?? emptyStats(),
    hours,
    backlog,
    endpoints,
  };
}

function emptyOutcomes(): OutcomeCounts {
  return { succeeded: 0, failed: 0, pending: 0 };
}

function emptyStats(): AttemptStats {
  return { attempts: 0, succeeded: 0, successRate: null, p50Ms: null, p95Ms: null };
}

/** Deliveries created since `since`, by hour (0 = the first hour) and current status. */
async function deliveriesByHour(
  context: Context,
  since: number,
): Promise<Map<number, OutcomeCounts>> {
  const { rows } = await sql<{ bucket: number; status: string; count: number }>`
    select bucket, status, count(*) as count
    from (
      select (created_at - cast(${since} as bigint)) / cast(${HOUR_MS} as bigint) as bucket,
        status
      from deliveries
      where created_at >= cast(${since} as bigint)
    ) as created
    group by bucket, status
  `.execute(context.database.db);

  const byHour = new Map<number, OutcomeCounts>();
  for (const row of rows) {
    const bucket = Number(row.bucket);
    const counts = byHour.get(bucket) ?? emptyOutcomes();
    if (row.status === 'succeeded' || row.status === 'failed' || row.status === 'pending') {
      counts[row.status] += Number(row.count);
    }
    byHour.set(bucket, counts);
  }
  return byHour;
}

/**
 * Attempt counts, success and latency percentiles of [since, until) in buckets of `width`
 * milliseconds, keyed by bucket number. The nearest-rank percentile p of n sorted values is
 * the value at rank ceil(p·n / 100), written (p·n + 99) / 100 in integer arithmetic.
 */
async function attemptStats(
  context: Context,
  since: number,
  until: number,
  width: number,
): Promise<Map<number, AttemptStats>> {
  const { rows } = await sql<{
    bucket: number;
    attempts: number;
    succeeded: number;
    p50: number | null;
    p95: number | null;
  }>`
    select bucket,
      count(*) as attempts,
      sum(ok) as succeeded,
      max(case when rank_in_bucket = (bucket_size * 50 + 99) / 100 then duration_ms end) as p50,
      max(case when rank_in_bucket = (bucket_size * 95 + 99) / 100 then duration_ms end) as p95
    from (
      select bucket, ok, duration_ms,
        row_number() over (partition by bucket order by duration_ms) as rank_in_bucket,
        count(*) over (partition by bucket) as bucket_size
      from (
        select (attempted_at - cast(${since} as bigint)) / cast(${width} as bigint) as bucket,
          case when status_code between 200 and 299 then 1 else 0 end as ok,
          duration_ms
        from delivery_attempts
        where attempted_at >= cast(${since} as bigint) and attempted_at < cast(${until} as bigint)
      ) as windowed
    ) as ranked
    group by bucket
  `.execute(context.database.db);

  const stats = new Map<number, AttemptStats>();
  for (const row of rows) {
    const attempts = Number(row.attempts);
    const succeeded = Number(row.succeeded);
    stats.set(Number(row.bucket), {
      attempts,
      succeeded,
      successRate: attempts === 0 ? null : succeeded / attempts,
      p50Ms: row.p50 === null ? null : Number(row.p50),
      p95Ms: row.p95 === null ? null : Number(row.p95),
    });
  }
  return stats;
}

/** Pending work: due now, being sent, or waiting for a later retry. */
async function readBacklog(context: Context, now: number): Promise<Overview['backlog']> {
  const { rows } = await sql<{
    due: number | null;
    oldest_due: number | null;
    in_flight: number | null;
    scheduled: number | null;
  }>`
    select
      sum(case when leased = 0 and next_attempt_at <= cast(${now} as bigint) then 1 else 0 end)
        as due,
      min(case when leased = 0 and next_attempt_at <= cast(${now} as bigint)
        then next_attempt_at end) as oldest_due,
      sum(leased) as in_flight,
      sum(case when leased = 0 and next_attempt_at > cast(${now} as bigint) then 1 else 0 end)
        as scheduled
    from (
      select next_attempt_at,
        case when lease_expires_at > cast(${now} as bigint) then 1 else 0 end as leased
      from deliveries
      -- A pending delivery always has a next attempt; saying so lets the partial index answer.
      where status = 'pending' and next_attempt_at is not null
    ) as pending
  `.execute(context.database.db);

  const row = rows[0];
  const oldest = row?.oldest_due ?? null;
  return {
    due: Number(row?.due ?? 0),
    oldestDueAt: oldest === null ? null : toIso(Number(oldest)),
    inFlight: Number(row?.in_flight ?? 0),
    scheduled: Number(row?.scheduled ?? 0),
  };
}

/** Endpoint counts and the endpoints that are disabled or failing. */
async function readEndpointHealth(context: Context): Promise<Overview['endpoints']> {
  const { db } = context.database;
  const [counts, rows] = await Promise.all([
    db
      .selectFrom('webhook_endpoints')
      .select([
        sql<number>`count(*)`.as('total'),
        sql<number>`coalesce(sum(enabled), 0)`.as('enabled'),
      ])
      .executeTakeFirst(),
    db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where((eb) => eb.or([eb('enabled', '=', 0), eb('failing_since', 'is not', null)]))
      // Enabled-but-failing first: those still lose events; then the latest disabled.
      .orderBy('enabled', 'desc')
      .orderBy(sql`coalesce(disabled_at, failing_since)`, 'desc')
      .orderBy('id', 'desc')
      .limit(ATTENTION_LIMIT)
      .execute(),
  ]);

  return {
    total: Number(counts?.total ?? 0),
    enabled: Number(counts?.enabled ?? 0),
    attention: rows.map((row) => ({
      ...viewEndpoint(row),
      failingSince: toIso(row.failing_since),
    })),
  };
}
