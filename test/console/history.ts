/**
 * A day of delivery history for the console's browser tests, written straight into the
 * tables: finished deliveries of `course.completed` events, hour by hour over the last 23
 * hours, with a few failures and a latency bump, so the overview's charts and the
 * screenshots show a day that looks like one. The endpoint is left disabled, as 24 hours of
 * failures would leave it, so nothing tries to reach its (unreachable) host.
 */
import type { AppContext } from '../../src/context.js';
import type {
  DeliveryAttemptTable,
  DeliveryTable,
  EventTable,
  WebhookEndpointTable,
} from '../../src/db/schema.js';

const HOUR_MS = 3_600_000;
const BATCH = 100;

interface Row {
  event: Omit<EventTable, 'seq'>;
  delivery: DeliveryTable;
  attempt: DeliveryAttemptTable;
}

function historyRow(
  context: AppContext,
  endpointId: string,
  at: number,
  ok: boolean,
  durationMs: number,
): Row {
  const eventId = context.ids.next('event');
  const deliveryId = context.ids.next('delivery');
  return {
    event: {
      id: eventId,
      type: 'course.completed',
      data: JSON.stringify({
        userId: 'usr_history',
        courseId: 'crs_history',
        enrollmentId: 'enr_history',
      }),
      created_at: at,
    },
    delivery: {
      id: deliveryId,
      endpoint_id: endpointId,
      event_id: eventId,
      event_type: 'course.completed',
      status: ok ? 'succeeded' : 'failed',
      attempt_count: 1,
      next_attempt_at: null,
      lease_owner: null,
      lease_expires_at: null,
      last_attempt_at: at + durationMs,
      retry_origin_at: at,
      retry_attempt_base: 0,
      created_at: at,
      updated_at: at + durationMs,
    },
    attempt: {
      id: context.ids.next('attempt'),
      delivery_id: deliveryId,
      attempted_at: at,
      duration_ms: durationMs,
      status_code: ok ? 200 : 503,
      error_kind: null,
      request_headers: '{}',
      response_headers: '{"content-type":"text/plain"}',
      response_body: ok ? 'ok' : 'maintenance',
    },
  };
}

/** Writes the history; resolves with how many deliveries succeeded and failed. */
export async function seedDeliveryHistory(
  context: AppContext,
  endpoint: WebhookEndpointTable,
): Promise<{ succeeded: number; failed: number }> {
  const now = context.clock.now();
  const rows: Row[] = [];
  for (let hoursAgo = 23; hoursAgo >= 1; hoursAgo -= 1) {
    const start = now - hoursAgo * HOUR_MS;
    const count = 18 + ((hoursAgo * 7) % 13);
    const failures = hoursAgo % 6 === 0 ? 4 : hoursAgo % 4 === 0 ? 1 : 0;
    const slow = hoursAgo >= 8 && hoursAgo <= 10;
    for (let index = 0; index < count; index += 1) {
      const duration = 35 + ((index * 37 + hoursAgo * 11) % 90) + (slow ? 260 : 0);
      rows.push(
        historyRow(context, endpoint.id, start + index * 60_000, index >= failures, duration),
      );
    }
  }

  const { db } = context.database;
  for (let offset = 0; offset < rows.length; offset += BATCH) {
    const batch = rows.slice(offset, offset + BATCH);
    await db
      .insertInto('events')
      .values(batch.map((row) => row.event))
      .execute();
    await db
      .insertInto('deliveries')
      .values(batch.map((row) => row.delivery))
      .execute();
    await db
      .insertInto('delivery_attempts')
      .values(batch.map((row) => row.attempt))
      .execute();
  }
  await db
    .updateTable('webhook_endpoints')
    .set({
      enabled: 0,
      disabled_reason: 'failed without a success for 24 hours',
      disabled_at: now - HOUR_MS / 2,
    })
    .where('id', '=', endpoint.id)
    .execute();

  const failed = rows.filter((row) => row.delivery.status === 'failed').length;
  return { succeeded: rows.length - failed, failed };
}
