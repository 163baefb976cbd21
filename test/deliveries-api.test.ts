import { expect, it } from 'vitest';
import type { DeliveryTable } from '../src/db/schema.js';
import { ManualClock } from '../src/shared/clock.js';
import { describeEachDatabase } from './support/harness.js';

const PUBLIC_URL = 'https://93.184.215.14/hook';
const HOUR = 3_600_000;

describeEachDatabase(
  'deliveries API',
  (h) => {
    const clock = () => h.context.clock as ManualClock;
    const iso = (ms: number) => new Date(ms).toISOString();
    let emails = 0;

    async function createEndpoint(eventTypes: string[]) {
      const reply = await h.call('POST', '/v2/webhooks', { body: { url: PUBLIC_URL, eventTypes } });
      expect(reply.status).toBe(201);
      return reply.body.id as string;
    }

    /** Creates a user (a user.created event) and returns the event id. */
    async function fireUserCreated(): Promise<{ userId: string; eventId: string }> {
      emails += 1;
      const user = await h.call('POST', '/v2/users', {
        body: { email: `d${emails}@example.com`, firstName: 'D', lastName: 'L' },
      });
      expect(user.status).toBe(201);
      const events = await h.context.database.db
        .selectFrom('events')
        .select(['id', 'data'])
        .where('type', '=', 'user.created')
        .execute();
      const event = events.find((e) => JSON.parse(e.data).userId === user.body.id);
      return { userId: user.body.id, eventId: event!.id };
    }

    async function deliveryFor(endpointId: string, eventId: string) {
      return h.context.database.db
        .selectFrom('deliveries')
        .selectAll()
        .where('endpoint_id', '=', endpointId)
        .where('event_id', '=', eventId)
        .executeTakeFirst();
    }

    async function setDelivery(id: string, values: Partial<DeliveryTable>) {
      await h.context.database.db
        .updateTable('deliveries')
        .set(values)
        .where('id', '=', id)
        .execute();
    }

    const finished = (status: 'failed' | 'succeeded', attempts: number) => ({
      status,
      attempt_count: attempts,
      next_attempt_at: null,
      last_attempt_at: clock().now(),
    });

    it('lists an endpoint’s deliveries newest first, filtered and in cursor pages', async () => {
      const endpoint = await createEndpoint(['*']);
      const created: string[] = [];
      for (let i = 0; i < 4; i++) {
        clock().advance(1000);
        const { userId, eventId } = await fireUserCreated();
        created.push((await deliveryFor(endpoint, eventId))!.id);
        if (i === 0) {
          await h.call('PATCH', `/v2/users/${userId}`, { body: { lastName: 'Changed' } });
        }
      }
      await setDelivery(created[1]!, finished('failed', 3));

      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const query: Record<string, string> = { limit: '2' };
        if (cursor) query.cursor = cursor;
        const page = await h.call('GET', `/v2/webhooks/${endpoint}/deliveries`, { query });
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(2);
        all.push(...page.body.data.map((d: { id: string }) => d.id));
        cursor = page.body.pageInfo.cursor;
        expect(page.body.pageInfo.hasMore).toBe(cursor !== null);
      } while (cursor);
      expect(all).toHaveLength(5);
      expect(all).toEqual([...all].sort().reverse());

      const failed = await h.call('GET', `/v2/webhooks/${endpoint}/deliveries`, {
        query: { status: 'failed' },
      });
      expect(failed.body.data.map((d: { id: string }) => d.id)).toEqual([created[1]]);
      expect(failed.body.data[0]).toMatchObject({
        endpointId: endpoint,
        eventType: 'user.created',
        status: 'failed',
        attemptCount: 3,
        nextAttemptAt: null,
      });

      const updates = await h.call('GET', `/v2/webhooks/${endpoint}/deliveries`, {
        query: { eventType: 'user.updated' },
      });
      expect(updates.body.data).toHaveLength(1);
      expect(updates.body.data[0].eventType).toBe('user.updated');

      const pending = await h.call('GET', `/v2/webhooks/${endpoint}/deliveries`, {
        query: { status: 'pending', eventType: 'user.created' },
      });
      expect(pending.body.data.map((d: { id: string }) => d.id)).toEqual(
        [created[0], created[2], created[3]].reverse(),
      );

      const url = `/v2/webhooks/${endpoint}/deliveries`;
      expect((await h.call('GET', url, { query: { status: 'lost' } })).status).toBe(400);
      expect((await h.call('GET', url, { query: { cursor: '!!' } })).status).toBe(400);
      expect((await h.call('GET', url, { key: h.keys.write })).status).toBe(403);
      const unknown = '/v2/webhooks/whk_00000000000000000000000000/deliveries';
      expect((await h.call('GET', unknown)).status).toBe(404);
    });

    it('reads a delivery with its attempts in the order they were made', async () => {
      const endpoint = await createEndpoint(['user.created']);
      const { eventId } = await fireUserCreated();
      const delivery = (await deliveryFor(endpoint, eventId))!;
      const t = clock().now();
      await setDelivery(delivery.id, { attempt_count: 2, last_attempt_at: t + 5000 });
      await h.context.database.db
        .insertInto('delivery_attempts')
        .values([
          {
            id: h.context.ids.next('attempt'),
            delivery_id: delivery.id,
            attempted_at: t + 5000,
            duration_ms: 12,
            status_code: 503,
            error_kind: 'http_status',
            request_headers: JSON.stringify({ 'webhook-id': eventId }),
            response_headers: JSON.stringify({ 'retry-after': '30' }),
            response_body: 'busy',
          },
          {
            id: h.context.ids.next('attempt'),
            delivery_id: delivery.id,
            attempted_at: t,
            duration_ms: 15000,
            status_code: null,
            error_kind: 'timeout',
            request_headers: JSON.stringify({ 'webhook-id': eventId }),
            response_headers: '{}',
            response_body: '',
          },
        ])
        .execute();

      const read = await h.call('GET', `/v2/deliveries/${delivery.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        id: delivery.id,
        endpointId: endpoint,
        eventId,
        status: 'pending',
        attemptCount: 2,
        lastAttemptAt: iso(t + 5000),
      });
      expect(read.body.attempts).toEqual([
        {
          id: expect.stringMatching(/^att_/),
          attemptedAt: iso(t),
          durationMs: 15000,
          statusCode: null,
          errorKind: 'timeout',
          requestHeaders: { 'webhook-id': eventId },
          responseHeaders: {},
          responseBody: '',
        },
        {
          id: expect.stringMatching(/^att_/),
          attemptedAt: iso(t + 5000),
          durationMs: 12,
          statusCode: 503,
          errorKind: 'http_status',
          requestHeaders: { 'webhook-id': eventId },
          responseHeaders: { 'retry-after': '30' },
          responseBody: 'busy',
        },
      ]);

      const missing = await h.call('GET', '/v2/deliveries/dlv_00000000000000000000000000');
      expect(missing.status).toBe(404);
      expect((await h.call('GET', '/v2/deliveries/nope')).status).toBe(400);
      expect(
        (await h.call('GET', `/v2/deliveries/${delivery.id}`, { key: h.keys.read })).status,
      ).toBe(403);
    });

    it('resends a finished delivery now with a fresh retry window and wakes the dispatcher', async () => {
      const endpoint = await createEndpoint(['user.created']);
      const { eventId } = await fireUserCreated();
      const delivery = (await deliveryFor(endpoint, eventId))!;

      const early = await h.call('POST', `/v2/deliveries/${delivery.id}/resend`);
      expect(early.status).toBe(409);
      expect(early.body.detail).toContain('pending');

      clock().advance(HOUR);
      await setDelivery(delivery.id, { ...finished('failed', 4), lease_owner: 'gone' });
      clock().advance(HOUR);
      let wakeUps = 0;
      const stop = h.context.deliverySignal.subscribe(() => {
        wakeUps += 1;
      });
      const resent = await h.call('POST', `/v2/deliveries/${delivery.id}/resend`);
      stop();
      expect(resent.status).toBe(202);
      expect(resent.body).toMatchObject({
        id: delivery.id,
        status: 'pending',
        attemptCount: 4,
        nextAttemptAt: iso(clock().now()),
      });
      expect(wakeUps).toBe(1);
      expect(await deliveryFor(endpoint, eventId)).toMatchObject({
        status: 'pending',
        next_attempt_at: clock().now(),
        lease_owner: null,
        lease_expires_at: null,
        retry_origin_at: clock().now(),
        retry_attempt_base: 4,
        attempt_count: 4,
      });

      await setDelivery(delivery.id, finished('succeeded', 5));
      const again = await h.call('POST', `/v2/deliveries/${delivery.id}/resend`);
      expect(again.status).toBe(202);
      expect((await deliveryFor(endpoint, eventId))!.retry_attempt_base).toBe(5);

      const missing = await h.call('POST', '/v2/deliveries/dlv_00000000000000000000000000/resend');
      expect(missing.status).toBe(404);
      const writer = await h.call('POST', `/v2/deliveries/${delivery.id}/resend`, {
        key: h.keys.write,
      });
      expect(writer.status).toBe(403);
    });

    it('refuses to resend to a disabled or deleted endpoint', async () => {
      const endpoint = await createEndpoint(['user.created']);
      const { eventId } = await fireUserCreated();
      const delivery = (await deliveryFor(endpoint, eventId))!;
      await setDelivery(delivery.id, finished('failed', 10));

      await h.call('PATCH', `/v2/webhooks/${endpoint}`, { body: { enabled: false } });
      const disabled = await h.call('POST', `/v2/deliveries/${delivery.id}/resend`);
      expect(disabled.status).toBe(409);
      expect(disabled.body.detail).toContain('enable the endpoint');

      expect((await h.call('DELETE', `/v2/webhooks/${endpoint}`)).status).toBe(204);
      const deleted = await h.call('POST', `/v2/deliveries/${delivery.id}/resend`);
      expect(deleted.status).toBe(409);
      expect(deleted.body.detail).toContain('deleted');
      expect((await deliveryFor(endpoint, eventId))!.status).toBe('failed');
    });

    it('recovers a time range: failed ones again, missed ones created, the rest untouched', async () => {
      clock().advance(24 * HOUR);
      const before = await fireUserCreated();
      clock().advance(HOUR);
      const endpoint = await createEndpoint(['user.created']);
      const other = await createEndpoint(['course.created']);
      const oldFailure = await fireUserCreated();
      await setDelivery(
        (await deliveryFor(endpoint, oldFailure.eventId))!.id,
        finished('failed', 10),
      );

      clock().advance(HOUR);
      const since = clock().now();
      const failed = await fireUserCreated();
      const failedId = (await deliveryFor(endpoint, failed.eventId))!.id;
      await setDelivery(failedId, finished('failed', 3));
      clock().advance(1000);
      const succeeded = await fireUserCreated();
      const succeededId = (await deliveryFor(endpoint, succeeded.eventId))!.id;
      await setDelivery(succeededId, finished('succeeded', 1));
      clock().advance(1000);
      const stillPending = await fireUserCreated();
      await h.call('PATCH', `/v2/users/${stillPending.userId}`, { body: { firstName: 'Up' } });

      await h.call('PATCH', `/v2/webhooks/${endpoint}`, { body: { enabled: false } });
      clock().advance(1000);
      const missed = await fireUserCreated();
      expect(await deliveryFor(endpoint, missed.eventId)).toBeUndefined();
      await h.call('PATCH', `/v2/webhooks/${endpoint}`, { body: { enabled: true } });
      clock().advance(1000);
      const until = clock().now();
      clock().advance(1000);
      const after = await fireUserCreated();
      await setDelivery((await deliveryFor(endpoint, after.eventId))!.id, finished('failed', 2));
      clock().advance(HOUR);

      const url = `/v2/webhooks/${endpoint}/recover`;
      const recovered = await h.call('POST', url, {
        body: { since: iso(since), until: iso(until) },
      });
      expect(recovered.status).toBe(202);
      expect(recovered.body).toEqual({ requeued: 1, created: 1 });

      const now = clock().now();
      expect(await deliveryFor(endpoint, failed.eventId)).toMatchObject({
        id: failedId,
        status: 'pending',
        next_attempt_at: now,
        retry_origin_at: now,
        retry_attempt_base: 3,
        attempt_count: 3,
      });
      expect(await deliveryFor(endpoint, missed.eventId)).toMatchObject({
        event_type: 'user.created',
        status: 'pending',
        attempt_count: 0,
        next_attempt_at: now,
        retry_origin_at: now,
        retry_attempt_base: 0,
        lease_owner: null,
        last_attempt_at: null,
      });
      expect((await deliveryFor(endpoint, succeeded.eventId))!.status).toBe('succeeded');
      expect((await deliveryFor(endpoint, oldFailure.eventId))!.status).toBe('failed');
      expect((await deliveryFor(endpoint, after.eventId))!.status).toBe('failed');
      expect(await deliveryFor(endpoint, before.eventId)).toBeUndefined();
      const updates = await h.context.database.db
        .selectFrom('deliveries')
        .select('id')
        .where('endpoint_id', '=', endpoint)
        .where('event_type', '=', 'user.updated')
        .execute();
      expect(updates).toHaveLength(0);
      const otherRows = await h.context.database.db
        .selectFrom('deliveries')
        .select('id')
        .where('endpoint_id', '=', other)
        .execute();
      expect(otherRows).toHaveLength(0);

      const repeat = await h.call('POST', url, { body: { since: iso(since), until: iso(until) } });
      expect(repeat.body).toEqual({ requeued: 0, created: 0 });

      // Without `until` the range ends now, which also takes in the later failure.
      const toNow = await h.call('POST', url, { body: { since: iso(since) } });
      expect(toNow.body).toEqual({ requeued: 1, created: 0 });
    });

    it('recovers events from before the endpoint existed, but not others’ test events', async () => {
      clock().advance(HOUR);
      const since = clock().now();
      const early = await fireUserCreated();
      clock().advance(1000);
      const endpoint = await createEndpoint(['*']);
      const bystander = await createEndpoint(['user.created']);
      expect((await h.call('POST', `/v2/webhooks/${bystander}/test`)).status).toBe(202);
      expect((await h.call('POST', `/v2/webhooks/${endpoint}/test`)).status).toBe(202);
      clock().advance(1000);

      const recovered = await h.call('POST', `/v2/webhooks/${endpoint}/recover`, {
        body: { since: iso(since) },
      });
      expect(recovered.status).toBe(202);
      expect(recovered.body).toEqual({ requeued: 0, created: 1 });
      expect((await deliveryFor(endpoint, early.eventId))!.status).toBe('pending');
      const tests = await h.context.database.db
        .selectFrom('deliveries')
        .select('id')
        .where('endpoint_id', '=', endpoint)
        .where('event_type', '=', 'webhook.test')
        .execute();
      expect(tests).toHaveLength(1);
    });

    it('refuses a recovery on a disabled endpoint or over a bad range', async () => {
      const endpoint = await createEndpoint(['user.created']);
      const url = `/v2/webhooks/${endpoint}/recover`;
      const now = clock().now();

      const tooLong = await h.call('POST', url, {
        body: { since: iso(now - 32 * 24 * HOUR), until: iso(now) },
      });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.detail).toContain('31 days');
      const exact = await h.call('POST', url, { body: { since: iso(now - 31 * 24 * HOUR) } });
      expect(exact.status).toBe(202);
      const backwards = await h.call('POST', url, {
        body: { since: iso(now), until: iso(now - HOUR) },
      });
      expect(backwards.status).toBe(400);
      expect((await h.call('POST', url, { body: {} })).status).toBe(400);
      expect((await h.call('POST', url, { body: { since: 'yesterday' } })).status).toBe(400);
      expect(
        (await h.call('POST', url, { body: { since: iso(now - HOUR) }, key: h.keys.write })).status,
      ).toBe(403);

      await h.call('PATCH', `/v2/webhooks/${endpoint}`, { body: { enabled: false } });
      const disabled = await h.call('POST', url, { body: { since: iso(now - HOUR) } });
      expect(disabled.status).toBe(409);
      expect(disabled.body.detail).toContain('enable the endpoint');
      const missing = await h.call('POST', '/v2/webhooks/whk_00000000000000000000000000/recover', {
        body: { since: iso(now - HOUR) },
      });
      expect(missing.status).toBe(404);
    });
  },
  { clock: () => new ManualClock() },
);
