/**
 * The console's own endpoints under /v2/console: the overview aggregate (whose SQL must give
 * the same answer on SQLite and PostgreSQL), the delivery log across endpoints, and an event
 * with its deliveries. Rows are written straight into the tables at chosen instants, so every
 * bucket, percentile and backlog figure below is worked out by hand.
 */
import { beforeEach, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.js';
import type { DeliveryAttemptTable, DeliveryTable } from '../../src/db/schema.js';
import { ManualClock } from '../../src/shared/clock.js';
import { describeEachDatabase } from '../support/harness.js';
import { clearWebhooks, emitEvent, insertEndpoint } from '../support/webhook-fixtures.js';

const NOW = Date.parse('2026-03-10T10:30:00.000Z');
const at = (time: string) => Date.parse(`2026-03-10T${time}Z`);

/** An endpoint that wants no event the tests emit, so only the rows written here are its. */
function quietEndpoint(context: AppContext, url: string) {
  return insertEndpoint(context, url, ['course.published']);
}

async function insertDelivery(
  context: AppContext,
  endpointId: string,
  fields: Partial<DeliveryTable> & { created_at: number },
): Promise<DeliveryTable> {
  const event = await emitEvent(context, 'user.created', { userId: 'usr_console' });
  const row: DeliveryTable = {
    id: context.ids.next('delivery'),
    endpoint_id: endpointId,
    event_id: event.id,
    event_type: 'user.created',
    status: 'succeeded',
    attempt_count: 1,
    next_attempt_at: null,
    lease_owner: null,
    lease_expires_at: null,
    last_attempt_at: null,
    retry_origin_at: fields.created_at,
    retry_attempt_base: 0,
    updated_at: fields.created_at,
    ...fields,
  };
  await context.database.db.insertInto('deliveries').values(row).execute();
  return row;
}

async function insertAttempt(
  context: AppContext,
  deliveryId: string,
  attemptedAt: number,
  durationMs: number,
  statusCode: number | null,
): Promise<void> {
  const row: DeliveryAttemptTable = {
    id: context.ids.next('attempt'),
    delivery_id: deliveryId,
    attempted_at: attemptedAt,
    duration_ms: durationMs,
    status_code: statusCode,
    error_kind: statusCode === null ? 'timeout' : null,
    request_headers: '{}',
    response_headers: '{}',
    response_body: '',
  };
  await context.database.db.insertInto('delivery_attempts').values(row).execute();
}

describeEachDatabase(
  'console API',
  (h) => {
    beforeEach(async () => {
      await clearWebhooks(h.context);
      (h.context.clock as ManualClock).set(NOW);
    });

    it('answers an empty overview of 24 whole hours ending after the current one', async () => {
      const answer = await h.call('GET', '/v2/console/overview');
      expect(answer.status).toBe(200);
      expect(answer.body.window).toEqual({
        since: '2026-03-09T11:00:00.000Z',
        until: '2026-03-10T11:00:00.000Z',
        bucketMs: 3_600_000,
      });
      expect(answer.body.hours).toHaveLength(24);
      expect(answer.body.hours[23]).toEqual({
        start: '2026-03-10T10:00:00.000Z',
        deliveries: { succeeded: 0, failed: 0, pending: 0 },
        attempts: 0,
        succeeded: 0,
        successRate: null,
        p50Ms: null,
        p95Ms: null,
      });
      expect(answer.body.deliveries).toEqual({ succeeded: 0, failed: 0, pending: 0 });
      expect(answer.body.backlog).toEqual({ due: 0, oldestDueAt: null, inFlight: 0, scheduled: 0 });
      expect(answer.body.endpoints).toEqual({ total: 0, enabled: 0, attention: [] });
    });

    it('counts outcomes, success and nearest-rank latency per hour and over the day', async () => {
      const { context } = h;
      const endpoint = await quietEndpoint(context, 'http://127.0.0.1:9/hook');
      const ok = await insertDelivery(context, endpoint.id, { created_at: at('10:10:00') });
      const failed = await insertDelivery(context, endpoint.id, {
        created_at: at('10:20:00'),
        status: 'failed',
      });
      const earlier = await insertDelivery(context, endpoint.id, { created_at: at('09:05:00') });
      // Before the window: its attempt and the delivery itself are left out.
      const old = await insertDelivery(context, endpoint.id, {
        created_at: Date.parse('2026-03-09T10:59:59.999Z'),
      });

      // 10:00–11:00: five attempts, three 2xx; sorted durations 10 20 30 40 100.
      await insertAttempt(context, ok.id, at('10:11:00'), 40, 200);
      await insertAttempt(context, ok.id, at('10:12:00'), 10, 204);
      await insertAttempt(context, failed.id, at('10:21:00'), 30, 500);
      await insertAttempt(context, failed.id, at('10:22:00'), 100, null);
      await insertAttempt(context, failed.id, at('10:23:00'), 20, 299);
      // 09:00–10:00: one attempt.
      await insertAttempt(context, earlier.id, at('09:06:00'), 5, 200);
      await insertAttempt(context, old.id, Date.parse('2026-03-09T10:59:59.999Z'), 9999, 500);

      const { body } = await h.call('GET', '/v2/console/overview');
      expect(body.hours[23]).toEqual({
        start: '2026-03-10T10:00:00.000Z',
        deliveries: { succeeded: 1, failed: 1, pending: 0 },
        attempts: 5,
        succeeded: 3,
        successRate: 0.6,
        // Ranks ceil(0.5 × 5) = 3 and ceil(0.95 × 5) = 5.
        p50Ms: 30,
        p95Ms: 100,
      });
      expect(body.hours[22]).toMatchObject({
        deliveries: { succeeded: 1, failed: 0, pending: 0 },
        attempts: 1,
        p50Ms: 5,
        p95Ms: 5,
      });
      expect(body.hours[0].attempts).toBe(0);
      expect(body.deliveries).toEqual({ succeeded: 2, failed: 1, pending: 0 });
      // Six attempts sorted 5 10 20 30 40 100: ranks 3 and ceil(5.7) = 6.
      expect(body.attempts).toEqual({
        attempts: 6,
        succeeded: 4,
        successRate: 4 / 6,
        p50Ms: 20,
        p95Ms: 100,
      });
    });

    it('splits pending work into due, in flight and scheduled, and names the oldest due', async () => {
      const { context } = h;
      const endpoint = await quietEndpoint(context, 'http://127.0.0.1:9/hook');
      const pending = { status: 'pending', attempt_count: 0 };
      await insertDelivery(context, endpoint.id, {
        ...pending,
        created_at: at('09:00:00'),
        next_attempt_at: at('10:00:00'),
      });
      await insertDelivery(context, endpoint.id, {
        ...pending,
        created_at: Date.parse('2026-03-01T00:00:00Z'),
        next_attempt_at: at('08:00:00'),
      });
      // Due, but a dispatcher holds it: in flight, not backlog.
      await insertDelivery(context, endpoint.id, {
        ...pending,
        created_at: at('10:25:00'),
        next_attempt_at: at('10:25:00'),
        lease_owner: 'dispatcher-1',
        lease_expires_at: NOW + 30_000,
      });
      // A lease that ran out is back in the queue.
      await insertDelivery(context, endpoint.id, {
        ...pending,
        created_at: at('10:26:00'),
        next_attempt_at: at('10:26:00'),
        lease_owner: 'dispatcher-2',
        lease_expires_at: NOW - 1,
      });
      await insertDelivery(context, endpoint.id, {
        ...pending,
        created_at: at('10:27:00'),
        next_attempt_at: NOW + 60_000,
      });

      const { body } = await h.call('GET', '/v2/console/overview');
      expect(body.backlog).toEqual({
        due: 3,
        oldestDueAt: '2026-03-10T08:00:00.000Z',
        inFlight: 1,
        scheduled: 1,
      });
      expect(body.deliveries.pending).toBe(4);
      expect(body.hours[23].deliveries.pending).toBe(3);
    });

    it('lists failing endpoints before disabled ones, and counts the enabled', async () => {
      const { context } = h;
      const { db } = context.database;
      await quietEndpoint(context, 'https://healthy.example.com/hook');
      const failing = await quietEndpoint(context, 'https://failing.example.com/hook');
      const disabled = await quietEndpoint(context, 'https://gone.example.com/hook');
      await db
        .updateTable('webhook_endpoints')
        .set({ failing_since: at('07:00:00') })
        .where('id', '=', failing.id)
        .execute();
      await db
        .updateTable('webhook_endpoints')
        .set({ enabled: 0, disabled_reason: 'the receiver answered 410 Gone', disabled_at: NOW })
        .where('id', '=', disabled.id)
        .execute();

      const { body } = await h.call('GET', '/v2/console/overview');
      expect(body.endpoints.total).toBe(3);
      expect(body.endpoints.enabled).toBe(2);
      expect(body.endpoints.attention.map((e: any) => [e.url, e.enabled, e.failingSince])).toEqual([
        ['https://failing.example.com/hook', true, '2026-03-10T07:00:00.000Z'],
        ['https://gone.example.com/hook', false, null],
      ]);
      expect(body.endpoints.attention[1].disabledReason).toBe('the receiver answered 410 Gone');
      expect(body.endpoints.attention[0]).not.toHaveProperty('secret');
    });

    it('lists deliveries of every endpoint, filtered and in pages', async () => {
      const { context } = h;
      const first = await quietEndpoint(context, 'https://one.example.com/hook');
      const second = await quietEndpoint(context, 'https://two.example.com/hook');
      const a = await insertDelivery(context, first.id, { created_at: at('10:00:00') });
      const b = await insertDelivery(context, second.id, {
        created_at: at('10:01:00'),
        status: 'failed',
      });
      const c = await insertDelivery(context, second.id, {
        created_at: at('10:02:00'),
        event_type: 'course.completed',
      });

      const all = await h.call('GET', '/v2/console/deliveries');
      expect(all.body.data.map((d: any) => d.id)).toEqual([c.id, b.id, a.id]);

      const failed = await h.call('GET', '/v2/console/deliveries', { query: { status: 'failed' } });
      expect(failed.body.data.map((d: any) => d.id)).toEqual([b.id]);
      const ofSecond = await h.call('GET', '/v2/console/deliveries', {
        query: { endpointId: second.id, eventType: 'course.completed' },
      });
      expect(ofSecond.body.data.map((d: any) => d.id)).toEqual([c.id]);

      const page1 = await h.call('GET', '/v2/console/deliveries', { query: { limit: '2' } });
      expect(page1.body.pageInfo.hasMore).toBe(true);
      const page2 = await h.call('GET', '/v2/console/deliveries', {
        query: { limit: '2', cursor: page1.body.pageInfo.cursor },
      });
      expect(page2.body).toEqual({
        data: [expect.objectContaining({ id: a.id, endpointId: first.id })],
        pageInfo: { cursor: null, hasMore: false },
      });

      const badCursor = await h.call('GET', '/v2/console/deliveries', {
        query: { cursor: 'not-a-cursor' },
      });
      expect(badCursor.status).toBe(400);
      const badEndpoint = await h.call('GET', '/v2/console/deliveries', {
        query: { endpointId: 'usr_01ARZ3NDEKTSV4RRFFQ69G5FAV' },
      });
      expect(badEndpoint.status).toBe(400);
    });

    it('shows an event with its delivery to each endpoint, deleted endpoints included', async () => {
      const kept = await h.call('POST', '/v2/webhooks', {
        body: { url: 'http://127.0.0.1:9/kept', eventTypes: ['user.created'] },
      });
      const dropped = await h.call('POST', '/v2/webhooks', {
        body: { url: 'http://127.0.0.1:9/dropped', eventTypes: ['*'] },
      });
      await h.call('POST', '/v2/webhooks', {
        body: { url: 'http://127.0.0.1:9/other', eventTypes: ['course.created'] },
      });
      const user = await h.call('POST', '/v2/users', {
        body: { email: `console-${Date.now()}@example.com`, firstName: 'Ada', lastName: 'L' },
      });
      expect(user.status).toBe(201);
      expect((await h.call('DELETE', `/v2/webhooks/${dropped.body.id}`)).status).toBe(204);
      const event = await h.context.database.db
        .selectFrom('events')
        .selectAll()
        .where('type', '=', 'user.created')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();

      const answer = await h.call('GET', `/v2/console/events/${event.id}/deliveries`);
      expect(answer.status).toBe(200);
      expect(answer.body.event).toEqual({
        id: event.id,
        type: 'user.created',
        timestamp: new Date(NOW).toISOString(),
        data: { userId: user.body.id },
      });
      const byUrl = answer.body.data.map((d: any) => [d.endpointUrl, d.endpointId, d.status]);
      expect(byUrl).toEqual(
        expect.arrayContaining([
          ['http://127.0.0.1:9/kept', kept.body.id, 'pending'],
          // Deleting an endpoint fails its pending deliveries; the log keeps them.
          [null, dropped.body.id, 'failed'],
        ]),
      );
      expect(byUrl).toHaveLength(2);
    });

    it('refuses an unknown or malformed event id, and keys without the admin scope', async () => {
      const unknown = await h.call(
        'GET',
        '/v2/console/events/evt_01ARZ3NDEKTSV4RRFFQ69G5FAV/deliveries',
      );
      expect(unknown.status).toBe(404);
      expect(unknown.headers['content-type']).toContain('application/problem+json');
      expect((await h.call('GET', '/v2/console/events/nope/deliveries')).status).toBe(400);

      for (const path of ['/v2/console/overview', '/v2/console/deliveries']) {
        expect((await h.call('GET', path, { key: null })).status).toBe(401);
        expect((await h.call('GET', path, { key: h.keys.read })).status).toBe(403);
        expect((await h.call('GET', path, { key: h.keys.write })).status).toBe(403);
      }
    });
  },
  {
    clock: () => new ManualClock(NOW),
    config: (config) => ({
      ...config,
      webhooks: { ...config.webhooks, allowedCidrs: ['127.0.0.0/8'], allowHttp: true },
    }),
  },
);
