/**
 * A backlog of due deliveries written in bulk SQL, the way an outage of the receivers leaves
 * one behind: events one millisecond apart, each with one pending delivery per endpoint, all
 * due now. Ids are zero-padded counters, which sort like real ids.
 */
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';
import type { BenchEndpoint } from './endpoints.js';

/** Writes events and `deliveries` due deliveries spread evenly over `endpoints`. */
export async function seedBacklog(
  database: Database,
  endpoints: BenchEndpoint[],
  deliveries: number,
): Promise<void> {
  const fanOut = endpoints.length;
  const events = Math.ceil(deliveries / fanOut);
  // Every event is due by the time the dispatcher starts.
  const base = Date.now() - events - 1000;
  const endpointValues = sql.join(
    endpoints.map(
      (endpoint, index) => sql`(cast(${index} as integer), cast(${endpoint.id} as text))`,
    ),
  );

  if (database.dialect === 'sqlite') {
    await sql`
      with recursive n(i) as (select 1 union all select i + 1 from n where i < ${events})
      insert into events (id, type, data, created_at)
      select printf('evt_%026d', i), 'user.created',
             printf('{"userId":"usr_%026d"}', i), ${base} + i
      from n`.execute(database.db);
    await sql`
      with recursive n(i) as (select 0 union all select i + 1 from n where i < ${deliveries - 1}),
      endpoint(position, id) as (values ${endpointValues})
      insert into deliveries (id, endpoint_id, event_id, event_type, status, attempt_count,
        next_attempt_at, lease_owner, lease_expires_at, last_attempt_at, retry_origin_at,
        retry_attempt_base, created_at, updated_at)
      select printf('dlv_%026d', i), endpoint.id, printf('evt_%026d', i / ${fanOut} + 1),
             'user.created', 'pending', 0, ${base} + i / ${fanOut} + 1, null, null, null,
             ${base} + i / ${fanOut} + 1, 0, ${base} + i / ${fanOut} + 1,
             ${base} + i / ${fanOut} + 1
      from n join endpoint on endpoint.position = i % ${fanOut}`.execute(database.db);
    return;
  }

  await sql`
    insert into events (id, type, data, created_at)
    select 'evt_' || lpad(i::text, 26, '0'), 'user.created',
           '{"userId":"usr_' || lpad(i::text, 26, '0') || '"}', ${base}::bigint + i
    from generate_series(1, ${events}::bigint) as i`.execute(database.db);
  await sql`
    with endpoint(position, id) as (values ${endpointValues})
    insert into deliveries (id, endpoint_id, event_id, event_type, status, attempt_count,
      next_attempt_at, lease_owner, lease_expires_at, last_attempt_at, retry_origin_at,
      retry_attempt_base, created_at, updated_at)
    select 'dlv_' || lpad(i::text, 26, '0'), endpoint.id,
           'evt_' || lpad((i / ${fanOut} + 1)::text, 26, '0'), 'user.created', 'pending', 0,
           ${base}::bigint + i / ${fanOut} + 1, null, null, null, ${base}::bigint + i / ${fanOut} + 1,
           0, ${base}::bigint + i / ${fanOut} + 1, ${base}::bigint + i / ${fanOut} + 1
    from generate_series(0, ${deliveries - 1}::bigint) as i
    join endpoint on endpoint.position = i % ${fanOut}`.execute(database.db);
  await sql`analyze`.execute(database.db);
}
