/**
 * Deliveries written in bulk SQL: a backlog of due deliveries, the way an outage of the
 * receivers leaves one behind, or the delivered history of an installation that has been
 * running. Events are one millisecond apart, each with one delivery per endpoint. Ids are
 * zero-padded counters, which sort like real ids; the history's start far above the backlog's.
 */
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';
import type { BenchEndpoint } from './endpoints.js';

/** Writes events and `deliveries` due deliveries spread evenly over `endpoints`. */
export function seedBacklog(
  database: Database,
  endpoints: BenchEndpoint[],
  deliveries: number,
): Promise<void> {
  return seedDeliveries(database, endpoints, deliveries, false);
}

/**
 * Writes `deliveries` deliveries that succeeded an hour ago, and gathers PostgreSQL's
 * statistics, as autovacuum does within a minute of a table filling. A schema created for one
 * bench run has none, and PostgreSQL then plans the dispatcher's statements as if its tables
 * held a few rows: the claim would read and sort every due delivery instead of walking the
 * head of the due index, which no installation that has run for a minute does.
 */
export function seedHistory(
  database: Database,
  endpoints: BenchEndpoint[],
  deliveries: number,
): Promise<void> {
  return seedDeliveries(database, endpoints, deliveries, true);
}

/** The first counter of the history's ids, far above any backlog's. */
const HISTORY_IDS = 1e15;

async function seedDeliveries(
  database: Database,
  endpoints: BenchEndpoint[],
  deliveries: number,
  delivered: boolean,
): Promise<void> {
  const fanOut = endpoints.length;
  const events = Math.ceil(deliveries / fanOut);
  // Every event of a backlog is due by the time the dispatcher starts.
  const base = Date.now() - events - (delivered ? 3_600_000 : 1000);
  const first = delivered ? HISTORY_IDS : 0;
  // The event's time, then the columns from status to updated_at of its delivery.
  const at =
    database.dialect === 'sqlite'
      ? sql`${base} + i / ${fanOut} + 1`
      : sql`${base}::bigint + i / ${fanOut} + 1`;
  const state = delivered
    ? sql`'succeeded', 1, null, null, null, ${at}, ${at}, 0, ${at}, ${at}`
    : sql`'pending', 0, ${at}, null, null, null, ${at}, 0, ${at}, ${at}`;
  const endpointValues = sql.join(
    endpoints.map(
      (endpoint, index) => sql`(cast(${index} as integer), cast(${endpoint.id} as text))`,
    ),
  );

  if (database.dialect === 'sqlite') {
    await sql`
      with recursive n(i) as (select 1 union all select i + 1 from n where i < ${events})
      insert into events (id, type, data, created_at)
      select printf('evt_%026d', ${first} + i), 'user.created',
             printf('{"userId":"usr_%026d"}', i), ${base} + i
      from n`.execute(database.db);
    await sql`
      with recursive n(i) as (select 0 union all select i + 1 from n where i < ${deliveries - 1}),
      endpoint(position, id) as (values ${endpointValues})
      insert into deliveries (id, endpoint_id, event_id, event_type, status, attempt_count,
        next_attempt_at, lease_owner, lease_expires_at, last_attempt_at, retry_origin_at,
        retry_attempt_base, created_at, updated_at)
      select printf('dlv_%026d', ${first} + i), endpoint.id,
             printf('evt_%026d', ${first} + i / ${fanOut} + 1), 'user.created', ${state}
      from n join endpoint on endpoint.position = i % ${fanOut}`.execute(database.db);
    return;
  }

  await sql`
    insert into events (id, type, data, created_at)
    select 'evt_' || lpad((${first}::bigint + i)::text, 26, '0'), 'user.created',
           '{"userId":"usr_' || lpad(i::text, 26, '0') || '"}', ${base}::bigint + i
    from generate_series(1, ${events}::bigint) as i`.execute(database.db);
  await sql`
    with endpoint(position, id) as (values ${endpointValues})
    insert into deliveries (id, endpoint_id, event_id, event_type, status, attempt_count,
      next_attempt_at, lease_owner, lease_expires_at, last_attempt_at, retry_origin_at,
      retry_attempt_base, created_at, updated_at)
    select 'dlv_' || lpad((${first}::bigint + i)::text, 26, '0'), endpoint.id,
           'evt_' || lpad((${first}::bigint + i / ${fanOut} + 1)::text, 26, '0'), 'user.created',
           ${state}
    from generate_series(0, ${deliveries - 1}::bigint) as i
    join endpoint on endpoint.position = i % ${fanOut}`.execute(database.db);
  await sql`analyze`.execute(database.db);
}
