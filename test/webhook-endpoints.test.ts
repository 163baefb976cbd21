import { expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { describeEachDatabase, type Harness } from './support/harness.js';

// An IP literal on the public internet: the guard accepts it without a DNS lookup.
const PUBLIC_URL = 'https://93.184.215.14/hook';

async function createEndpoint(h: Harness, body: Record<string, unknown> = {}) {
  const reply = await h.call('POST', '/v2/webhooks', {
    body: { url: PUBLIC_URL, eventTypes: ['user.created'], ...body },
  });
  expect(reply.status).toBe(201);
  return reply.body;
}

async function endpointRow(h: Harness, id: string) {
  return h.context.database.db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

async function deliveriesOf(h: Harness, endpointId: string) {
  return h.context.database.db
    .selectFrom('deliveries')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .orderBy('id')
    .execute();
}

describeEachDatabase(
  'webhook endpoints API',
  (h) => {
    it('creates an endpoint and shows its secret only in that answer', async () => {
      const created = await h.call('POST', '/v2/webhooks', {
        body: { url: PUBLIC_URL, eventTypes: ['user.created', 'course.completed'] },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        url: PUBLIC_URL,
        eventTypes: ['user.created', 'course.completed'],
        description: '',
        enabled: true,
        disabledReason: null,
        disabledAt: null,
      });
      expect(created.body.id).toMatch(/^whk_/);
      expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
      expect((await endpointRow(h, created.body.id)).secret).toBe(created.body.secret);

      const read = await h.call('GET', `/v2/webhooks/${created.body.id}`);
      expect(read.status).toBe(200);
      const { secret: _secret, ...view } = created.body;
      expect(read.body).toEqual(view);
      expect(JSON.stringify(read.body)).not.toContain('whsec_');

      const list = await h.call('GET', '/v2/webhooks', { query: { limit: '100' } });
      expect(list.status).toBe(200);
      expect(list.body.data.map((e: { id: string }) => e.id)).toContain(created.body.id);
      expect(JSON.stringify(list.body)).not.toContain('whsec_');
    });

    it('accepts ["*"] and a disabled start, and refuses unknown or mixed event types', async () => {
      const all = await createEndpoint(h, { eventTypes: ['*'], enabled: false, description: 'x' });
      expect(all).toMatchObject({
        eventTypes: ['*'],
        enabled: false,
        disabledReason: 'disabled by an operator',
        description: 'x',
      });

      const unknown = await h.call('POST', '/v2/webhooks', {
        body: { url: PUBLIC_URL, eventTypes: ['user.created', 'user.exploded'] },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.detail).toContain('"user.exploded"');

      const mixed = await h.call('POST', '/v2/webhooks', {
        body: { url: PUBLIC_URL, eventTypes: ['*', 'user.created'] },
      });
      expect(mixed.status).toBe(400);

      for (const body of [
        { url: PUBLIC_URL, eventTypes: [] },
        { url: PUBLIC_URL, eventTypes: Array.from({ length: 51 }, () => 'user.created') },
        { url: `${PUBLIC_URL}/${'a'.repeat(2048)}`, eventTypes: ['*'] },
        { url: PUBLIC_URL, eventTypes: ['*'], description: 'd'.repeat(501) },
        { url: 'not a url', eventTypes: ['*'] },
        { url: PUBLIC_URL, eventTypes: ['*'], secret: 'whsec_mine' },
        { eventTypes: ['*'] },
      ]) {
        const reply = await h.call('POST', '/v2/webhooks', { body });
        expect(reply.status, JSON.stringify(body).slice(0, 80)).toBe(400);
        expect(reply.headers['content-type']).toContain('application/problem+json');
      }
    });

    it('refuses URLs that reach private addresses or use plain http, saying what to change', async () => {
      const cases: Array<[string, RegExp]> = [
        ['http://93.184.215.14/hook', /LYCEUM_WEBHOOK_ALLOW_HTTP/],
        ['https://10.0.0.1/hook', /10\.0\.0\.1[\s\S]*LYCEUM_WEBHOOK_ALLOWED_CIDRS/],
        ['https://127.0.0.1/hook', /127\.0\.0\.1[\s\S]*LYCEUM_WEBHOOK_ALLOWED_CIDRS/],
        ['https://[::ffff:127.0.0.1]/hook', /LYCEUM_WEBHOOK_ALLOWED_CIDRS/],
        ['https://2130706433/hook', /127\.0\.0\.1[\s\S]*LYCEUM_WEBHOOK_ALLOWED_CIDRS/],
      ];
      for (const [url, message] of cases) {
        const reply = await h.call('POST', '/v2/webhooks', { body: { url, eventTypes: ['*'] } });
        expect(reply.status, url).toBe(422);
        expect(reply.body.type).toBe('urn:lyceum:problem:webhook-url-refused');
        expect(reply.body.detail, url).toMatch(message);
      }
      const endpoint = await createEndpoint(h);
      const patched = await h.call('PATCH', `/v2/webhooks/${endpoint.id}`, {
        body: { url: 'https://10.0.0.1/hook' },
      });
      expect(patched.status).toBe(422);
      expect(patched.body.type).toBe('urn:lyceum:problem:webhook-url-refused');
      expect((await endpointRow(h, endpoint.id)).url).toBe(PUBLIC_URL);
    });

    it('needs the admin scope on every route', async () => {
      const endpoint = await createEndpoint(h);
      const routes: Array<[string, string, unknown]> = [
        ['POST', '/v2/webhooks', { url: PUBLIC_URL, eventTypes: ['*'] }],
        ['GET', '/v2/webhooks', undefined],
        ['GET', `/v2/webhooks/${endpoint.id}`, undefined],
        ['PATCH', `/v2/webhooks/${endpoint.id}`, { description: 'no' }],
        ['DELETE', `/v2/webhooks/${endpoint.id}`, undefined],
        ['POST', `/v2/webhooks/${endpoint.id}/rotate-secret`, undefined],
        ['POST', `/v2/webhooks/${endpoint.id}/test`, undefined],
      ];
      for (const [method, url, body] of routes) {
        for (const key of [h.keys.write, h.keys.read]) {
          const reply = await h.call(method as 'GET', url, { body, key });
          expect(reply.status, `${method} ${url}`).toBe(403);
        }
        expect((await h.call(method as 'GET', url, { body, key: null })).status).toBe(401);
      }
      expect((await h.call('GET', `/v2/webhooks/${endpoint.id}`)).status).toBe(200);
    });

    it('patches fields; disabling records why and enabling clears it', async () => {
      const endpoint = await createEndpoint(h);
      const clock = h.context.clock as ManualClock;
      clock.advance(1000);

      const patched = await h.call('PATCH', `/v2/webhooks/${endpoint.id}`, {
        body: { eventTypes: ['course.completed'], description: 'HRIS sync' },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        eventTypes: ['course.completed'],
        description: 'HRIS sync',
        enabled: true,
        createdAt: endpoint.createdAt,
        updatedAt: new Date(clock.now()).toISOString(),
      });

      const disabled = await h.call('PATCH', `/v2/webhooks/${endpoint.id}`, {
        body: { enabled: false },
      });
      expect(disabled.body).toMatchObject({
        enabled: false,
        disabledReason: 'disabled by an operator',
        disabledAt: new Date(clock.now()).toISOString(),
      });

      await h.context.database.db
        .updateTable('webhook_endpoints')
        .set({ failing_since: clock.now() - 5000 })
        .where('id', '=', endpoint.id)
        .execute();
      const enabled = await h.call('PATCH', `/v2/webhooks/${endpoint.id}`, {
        body: { enabled: true },
      });
      expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null });
      const row = await endpointRow(h, endpoint.id);
      expect(row).toMatchObject({ enabled: 1, disabled_at: null, failing_since: null });

      const bad = await h.call('PATCH', `/v2/webhooks/${endpoint.id}`, {
        body: { eventTypes: ['nope.nope'] },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.detail).toContain('"nope.nope"');
      const missing = await h.call('PATCH', '/v2/webhooks/whk_00000000000000000000000000', {
        body: { description: 'x' },
      });
      expect(missing.status).toBe(404);
    });

    it('rotates the secret and keeps the old one for the grace period', async () => {
      const endpoint = await createEndpoint(h);
      const rotated = await h.call('POST', `/v2/webhooks/${endpoint.id}/rotate-secret`);
      expect(rotated.status).toBe(200);
      expect(Object.keys(rotated.body)).toEqual(['secret']);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(endpoint.secret);

      const row = await endpointRow(h, endpoint.id);
      expect(row.secret).toBe(rotated.body.secret);
      expect(row.previous_secret).toBe(endpoint.secret);
      expect(row.previous_secret_expires_at).toBe(
        h.context.clock.now() + h.context.config.webhooks.secretGraceMs,
      );
      const read = await h.call('GET', `/v2/webhooks/${endpoint.id}`);
      expect(JSON.stringify(read.body)).not.toContain('whsec_');
      const missing = await h.call(
        'POST',
        '/v2/webhooks/whk_00000000000000000000000000/rotate-secret',
      );
      expect(missing.status).toBe(404);
    });

    it('queues deliveries for subscribed, enabled endpoints when an event fires', async () => {
      const wanted = await createEndpoint(h, { eventTypes: ['user.created'] });
      const everything = await createEndpoint(h, { eventTypes: ['*'] });
      const other = await createEndpoint(h, { eventTypes: ['course.created'] });
      const disabled = await createEndpoint(h, { eventTypes: ['user.created'], enabled: false });

      const user = await h.call('POST', '/v2/users', {
        body: { email: 'fanout@example.com', firstName: 'Fan', lastName: 'Out' },
      });
      expect(user.status).toBe(201);
      const event = await h.context.database.db
        .selectFrom('events')
        .selectAll()
        .where('type', '=', 'user.created')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();

      for (const endpoint of [wanted, everything]) {
        const rows = await deliveriesOf(h, endpoint.id);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({
          event_id: event.id,
          event_type: 'user.created',
          status: 'pending',
          attempt_count: 0,
        });
      }
      expect(await deliveriesOf(h, other.id)).toHaveLength(0);
      expect(await deliveriesOf(h, disabled.id)).toHaveLength(0);
    });

    it('sends a test event to one endpoint only, and not to a disabled one', async () => {
      const endpoint = await createEndpoint(h, { eventTypes: ['course.created'] });
      const bystander = await createEndpoint(h, { eventTypes: ['*'] });

      const accepted = await h.call('POST', `/v2/webhooks/${endpoint.id}/test`);
      expect(accepted.status).toBe(202);
      expect(accepted.body.eventId).toMatch(/^evt_/);
      expect(accepted.body.deliveryId).toMatch(/^dlv_/);

      const event = await h.context.database.db
        .selectFrom('events')
        .selectAll()
        .where('id', '=', accepted.body.eventId)
        .executeTakeFirstOrThrow();
      expect(event.type).toBe('webhook.test');
      expect(JSON.parse(event.data)).toEqual({ endpointId: endpoint.id });
      const rows = await deliveriesOf(h, endpoint.id);
      expect(rows.map((r) => [r.id, r.event_id, r.status])).toEqual([
        [accepted.body.deliveryId, event.id, 'pending'],
      ]);
      expect(await deliveriesOf(h, bystander.id)).toHaveLength(0);

      await h.call('PATCH', `/v2/webhooks/${endpoint.id}`, { body: { enabled: false } });
      const refused = await h.call('POST', `/v2/webhooks/${endpoint.id}/test`);
      expect(refused.status).toBe(409);
      expect(refused.body.detail).toContain('enable the endpoint first');
      expect(await deliveriesOf(h, endpoint.id)).toHaveLength(1);
      const missing = await h.call('POST', '/v2/webhooks/whk_00000000000000000000000000/test');
      expect(missing.status).toBe(404);
    });

    it('lists endpoints newest first in cursor pages', async () => {
      const mine = [];
      for (let i = 0; i < 3; i++) mine.push((await createEndpoint(h)).id);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: Record<string, string> = { limit: '2' };
        if (cursor) query.cursor = cursor;
        const page = await h.call('GET', '/v2/webhooks', { query });
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.data.map((e: { id: string }) => e.id));
        cursor = page.body.pageInfo.cursor;
        expect(page.body.pageInfo.hasMore).toBe(cursor !== null);
      } while (cursor);

      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual([...seen].sort().reverse());
      expect(seen.slice(0, 3)).toEqual([...mine].reverse());
      const badCursor = await h.call('GET', '/v2/webhooks', { query: { cursor: 'garbage!!' } });
      expect(badCursor.status).toBe(400);
      expect((await h.call('GET', '/v2/webhooks/nope')).status).toBe(400);
      expect((await h.call('GET', '/v2/webhooks/whk_00000000000000000000000000')).status).toBe(404);
    });

    it('deletes an endpoint, fails its pending deliveries and keeps the log', async () => {
      const endpoint = await createEndpoint(h, { eventTypes: ['user.created'] });
      for (const email of ['del1@example.com', 'del2@example.com']) {
        await h.call('POST', '/v2/users', {
          body: { email, firstName: 'Del', lastName: 'Eted' },
        });
      }
      const [done, waiting] = await deliveriesOf(h, endpoint.id);
      await h.context.database.db
        .updateTable('deliveries')
        .set({ status: 'succeeded', attempt_count: 1, next_attempt_at: null })
        .where('id', '=', done!.id)
        .execute();
      await h.context.database.db
        .updateTable('deliveries')
        .set({ lease_owner: 'dispatcher-x', lease_expires_at: h.context.clock.now() + 60_000 })
        .where('id', '=', waiting!.id)
        .execute();

      expect((await h.call('DELETE', `/v2/webhooks/${endpoint.id}`)).status).toBe(204);
      expect((await h.call('GET', `/v2/webhooks/${endpoint.id}`)).status).toBe(404);
      expect((await h.call('DELETE', `/v2/webhooks/${endpoint.id}`)).status).toBe(404);

      const rows = await deliveriesOf(h, endpoint.id);
      expect(rows.map((r) => r.status)).toEqual(['succeeded', 'failed']);
      expect(rows[1]).toMatchObject({ next_attempt_at: null, lease_owner: null });
      const log = await h.call('GET', `/v2/webhooks/${endpoint.id}/deliveries`);
      expect(log.status).toBe(200);
      expect(log.body.data).toHaveLength(2);
    });
  },
  { clock: () => new ManualClock() },
);

describeEachDatabase(
  'webhook endpoints API with local addresses allowed',
  (h) => {
    it('accepts a loopback http URL inside the allowed range', async () => {
      const created = await h.call('POST', '/v2/webhooks', {
        body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] },
      });
      expect(created.status).toBe(201);
      const outside = await h.call('POST', '/v2/webhooks', {
        body: { url: 'http://10.0.0.1/hook', eventTypes: ['*'] },
      });
      expect(outside.status).toBe(422);
    });
  },
  {
    config: (c) => ({
      ...c,
      webhooks: { ...c.webhooks, allowedCidrs: ['127.0.0.0/8'], allowHttp: true },
    }),
  },
);
