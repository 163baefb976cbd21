import { expect, it } from 'vitest';
import type { Clock } from '../src/shared/clock.js';
import { describeEachDatabase } from './support/harness.js';

/**
 * A clock that moves one millisecond on every reading. Lists pin their window at "now"
 * (exclusive), so with wall-clock time a row written in the same millisecond as the list
 * request would be left out and the test would fail at random.
 */
class TickingClock implements Clock {
  private current = Date.parse('2026-03-01T00:00:00.000Z');
  now(): number {
    this.current += 1;
    return this.current;
  }
}

describeEachDatabase(
  'subscriptions API',
  (h) => {
    let userCount = 0;
    async function newUser(): Promise<string> {
      userCount += 1;
      const created = await h.call('POST', '/v2/users', {
        body: { email: `sub${userCount}@example.com`, firstName: 'Grace', lastName: 'Hopper' },
      });
      expect(created.status).toBe(201);
      return created.body.id;
    }

    async function newSubscription(userId: string, extra: Record<string, unknown> = {}) {
      const created = await h.call('POST', '/v2/subscriptions', {
        body: { userId, plan: 'pro', ...extra },
        key: h.keys.write,
      });
      expect(created.status).toBe(201);
      return created.body;
    }

    /** The events recorded about one subscription, oldest first. */
    async function eventsOf(subscriptionId: string) {
      const rows = await h.context.database.db
        .selectFrom('events')
        .selectAll()
        .orderBy('seq')
        .execute();
      return rows
        .map((row) => ({ type: row.type, data: JSON.parse(row.data) }))
        .filter((event) => event.data.subscriptionId === subscriptionId);
    }

    it('starts a subscription, active by default, and records subscription.created', async () => {
      const userId = await newUser();
      const created = await h.call('POST', '/v2/subscriptions', {
        body: { userId, plan: 'team.annual' },
        key: h.keys.write,
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        userId,
        plan: 'team.annual',
        status: 'active',
        canceledAt: null,
      });
      expect(created.body.id).toMatch(/^sub_/);
      expect(created.body.createdAt).toBe(created.body.updatedAt);
      expect(await eventsOf(created.body.id)).toEqual([
        {
          type: 'subscription.created',
          data: { subscriptionId: created.body.id, userId, plan: 'team.annual', status: 'active' },
        },
      ]);

      const pastDue = await newSubscription(userId, { status: 'past_due' });
      expect(pastDue.status).toBe('past_due');
      expect((await eventsOf(pastDue.id))[0]?.data.status).toBe('past_due');

      const read = await h.call('GET', `/v2/subscriptions/${created.body.id}`, {
        key: h.keys.read,
      });
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);
    });

    it('refuses an unknown or deleted user with 422 unknown-user and records nothing', async () => {
      const before = await h.context.database.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();

      const unknown = await h.call('POST', '/v2/subscriptions', {
        body: { userId: 'usr_00000000000000000000000000', plan: 'pro' },
      });
      expect(unknown.status).toBe(422);
      expect(unknown.headers['content-type']).toContain('application/problem+json');
      expect(unknown.body.type).toBe('urn:lyceum:problem:unknown-user');

      const deletedId = await newUser();
      expect((await h.call('DELETE', `/v2/users/${deletedId}`)).status).toBe(204);
      const deleted = await h.call('POST', '/v2/subscriptions', {
        body: { userId: deletedId, plan: 'pro' },
      });
      expect(deleted.status).toBe(422);
      expect(deleted.body.type).toBe('urn:lyceum:problem:unknown-user');

      const after = await h.context.database.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      // Two events: the user created and deleted above; nothing for the refused subscriptions.
      expect(Number(after.n) - Number(before.n)).toBe(2);
      const rows = await h.context.database.db
        .selectFrom('subscriptions')
        .selectAll()
        .where('user_id', '=', deletedId)
        .execute();
      expect(rows).toEqual([]);
    });

    it('validates the body: plan pattern, status values, unknown fields', async () => {
      const userId = await newUser();
      for (const body of [
        { userId, plan: 'Pro' },
        { userId, plan: '-pro' },
        { userId, plan: 'p'.repeat(65) },
        { userId, plan: 'pro', status: 'canceled' },
        { userId, plan: 'pro', extra: true },
        { userId: 'nope', plan: 'pro' },
        { plan: 'pro' },
      ]) {
        const refused = await h.call('POST', '/v2/subscriptions', { body });
        expect(refused.status, JSON.stringify(body)).toBe(400);
        expect(refused.headers['content-type']).toContain('application/problem+json');
      }
      expect((await newSubscription(userId, { plan: `a${'b'.repeat(63)}` })).plan).toHaveLength(64);
    });

    it('patches plan and status, records subscription.updated with what changed', async () => {
      const userId = await newUser();
      const sub = await newSubscription(userId);

      const noChange = await h.call('PATCH', `/v2/subscriptions/${sub.id}`, {
        body: { plan: 'pro', status: 'active' },
      });
      expect(noChange.status).toBe(200);
      expect(noChange.body).toEqual(sub);
      expect((await eventsOf(sub.id)).map((e) => e.type)).toEqual(['subscription.created']);

      const planOnly = await h.call('PATCH', `/v2/subscriptions/${sub.id}`, {
        body: { plan: 'enterprise', status: 'active' },
        key: h.keys.write,
      });
      expect(planOnly.status).toBe(200);
      expect(planOnly.body).toMatchObject({ plan: 'enterprise', status: 'active' });

      const both = await h.call('PATCH', `/v2/subscriptions/${sub.id}`, {
        body: { plan: 'pro', status: 'past_due' },
      });
      expect(both.body).toMatchObject({ plan: 'pro', status: 'past_due' });

      const events = await eventsOf(sub.id);
      expect(events.slice(1)).toEqual([
        {
          type: 'subscription.updated',
          data: { subscriptionId: sub.id, userId, changed: ['plan'] },
        },
        {
          type: 'subscription.updated',
          data: { subscriptionId: sub.id, userId, changed: ['plan', 'status'] },
        },
      ]);

      const badStatus = await h.call('PATCH', `/v2/subscriptions/${sub.id}`, {
        body: { status: 'canceled' },
      });
      expect(badStatus.status).toBe(400);
      const badPlan = await h.call('PATCH', `/v2/subscriptions/${sub.id}`, {
        body: { plan: 'NOT OK' },
      });
      expect(badPlan.status).toBe(400);
      expect(await eventsOf(sub.id)).toHaveLength(3);
    });

    it('cancels once: canceledAt set, subscription.canceled recorded, then 409', async () => {
      const userId = await newUser();
      const sub = await newSubscription(userId);

      const canceled = await h.call('POST', `/v2/subscriptions/${sub.id}/cancel`, {
        key: h.keys.write,
      });
      expect(canceled.status).toBe(200);
      expect(canceled.body.status).toBe('canceled');
      expect(canceled.body.canceledAt).toEqual(expect.any(String));
      expect(canceled.body.updatedAt).toBe(canceled.body.canceledAt);

      const again = await h.call('POST', `/v2/subscriptions/${sub.id}/cancel`);
      expect(again.status).toBe(409);
      expect(again.headers['content-type']).toContain('application/problem+json');

      const patch = await h.call('PATCH', `/v2/subscriptions/${sub.id}`, {
        body: { plan: 'basic' },
      });
      expect(patch.status).toBe(409);
      const emptyPatch = await h.call('PATCH', `/v2/subscriptions/${sub.id}`, { body: {} });
      expect(emptyPatch.status).toBe(409);

      expect(await eventsOf(sub.id)).toEqual([
        expect.objectContaining({ type: 'subscription.created' }),
        { type: 'subscription.canceled', data: { subscriptionId: sub.id, userId } },
      ]);
      const read = await h.call('GET', `/v2/subscriptions/${sub.id}`);
      expect(read.body).toEqual(canceled.body);
    });

    it('concurrent cancels: exactly one succeeds and one event is recorded', async () => {
      const sub = await newSubscription(await newUser());
      const replies = await Promise.all(
        Array.from({ length: 5 }, () => h.call('POST', `/v2/subscriptions/${sub.id}/cancel`)),
      );
      expect(replies.map((reply) => reply.status).sort()).toEqual([200, 409, 409, 409, 409]);
      const canceled = (await eventsOf(sub.id)).filter((e) => e.type === 'subscription.canceled');
      expect(canceled).toHaveLength(1);
    });

    it('answers 404 for unknown subscriptions and 400 for malformed ids', async () => {
      const missing = 'sub_00000000000000000000000000';
      expect((await h.call('GET', `/v2/subscriptions/${missing}`)).status).toBe(404);
      const patch = await h.call('PATCH', `/v2/subscriptions/${missing}`, { body: { plan: 'x' } });
      expect(patch.status).toBe(404);
      expect((await h.call('POST', `/v2/subscriptions/${missing}/cancel`)).status).toBe(404);
      expect((await h.call('GET', '/v2/subscriptions/usr_00000000000000000000000000')).status).toBe(
        400,
      );
      expect((await h.call('POST', '/v2/subscriptions/nope/cancel')).status).toBe(400);
    });

    it('lists with userId, status and plan filters through cursor pages', async () => {
      const userId = await newUser();
      const other = await newUser();
      const subs = [
        await newSubscription(userId, { plan: 'list.a' }),
        await newSubscription(userId, { plan: 'list.b', status: 'past_due' }),
        await newSubscription(userId, { plan: 'list.a' }),
        await newSubscription(other, { plan: 'list.a' }),
      ];
      await h.call('POST', `/v2/subscriptions/${subs[2]!.id}/cancel`);

      async function all(url: string, query: Record<string, string>) {
        const ids: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await h.call('GET', url, {
            key: h.keys.read,
            query: { ...query, limit: '1', ...(cursor ? { cursor } : {}) },
          });
          expect(page.status).toBe(200);
          ids.push(...page.body.data.map((s: { id: string }) => s.id));
          cursor = page.body.pageInfo.cursor;
        } while (cursor);
        return ids.sort();
      }

      const ids = (...indexes: number[]) => indexes.map((i) => subs[i]!.id).sort();
      expect(await all('/v2/subscriptions', { userId })).toEqual(ids(0, 1, 2));
      expect(await all('/v2/subscriptions', { userId, status: 'active' })).toEqual(ids(0));
      expect(await all('/v2/subscriptions', { userId, status: 'canceled' })).toEqual(ids(2));
      expect(await all('/v2/subscriptions', { plan: 'list.a' })).toEqual(ids(0, 2, 3));
      expect(await all('/v2/subscriptions', { plan: 'list.b', status: 'past_due' })).toEqual(
        ids(1),
      );
      expect(await all(`/v2/users/${userId}/subscriptions`, {})).toEqual(ids(0, 1, 2));
      expect(await all(`/v2/users/${other}/subscriptions`, {})).toEqual(ids(3));
      expect(await all(`/v2/users/${userId}/subscriptions`, { plan: 'list.b' })).toEqual(ids(1));
    });

    it('lists within an update window', async () => {
      const userId = await newUser();
      const sub = await newSubscription(userId, { plan: 'window' });
      const since = sub.updatedAt;
      const inWindow = await h.call('GET', '/v2/subscriptions', {
        query: { plan: 'window', updatedSince: since },
      });
      expect(inWindow.body.data.map((s: { id: string }) => s.id)).toEqual([sub.id]);
      const before = await h.call('GET', '/v2/subscriptions', {
        query: { plan: 'window', updatedUntil: since },
      });
      expect(before.body.data).toEqual([]);
      const reversed = await h.call('GET', '/v2/subscriptions', {
        query: { updatedSince: '2030-01-01T00:00:00.000Z', updatedUntil: '2020-01-01T00:00:00Z' },
      });
      expect(reversed.status).toBe(400);
    });

    it('answers 404 for the subscriptions of an unknown or deleted user', async () => {
      const missing = await h.call('GET', '/v2/users/usr_00000000000000000000000000/subscriptions');
      expect(missing.status).toBe(404);
      const userId = await newUser();
      await newSubscription(userId);
      await h.call('DELETE', `/v2/users/${userId}`);
      expect((await h.call('GET', `/v2/users/${userId}/subscriptions`)).status).toBe(404);
      expect((await h.call('GET', '/v2/users/nope/subscriptions')).status).toBe(400);
    });

    it('rejects bad list queries with 400', async () => {
      const badQueries: Record<string, string>[] = [
        { status: 'paused' },
        { plan: 'UPPER' },
        { userId: 'nope' },
        { limit: '0' },
        { limit: '101' },
        { cursor: 'garbage!!' },
        { updatedSince: 'yesterday' },
        { unknown: '1' },
      ];
      for (const query of badQueries) {
        const refused = await h.call('GET', '/v2/subscriptions', { query });
        expect(refused.status, JSON.stringify(query)).toBe(400);
      }
    });

    it('requires the write scope to change and the read scope to read', async () => {
      const userId = await newUser();
      const sub = await newSubscription(userId);
      const readOnly = { key: h.keys.read };
      expect(
        (await h.call('POST', '/v2/subscriptions', { body: { userId, plan: 'x' }, ...readOnly }))
          .status,
      ).toBe(403);
      expect(
        (await h.call('PATCH', `/v2/subscriptions/${sub.id}`, { body: { plan: 'x' }, ...readOnly }))
          .status,
      ).toBe(403);
      expect((await h.call('POST', `/v2/subscriptions/${sub.id}/cancel`, readOnly)).status).toBe(
        403,
      );
      expect((await h.call('GET', '/v2/subscriptions', { key: null })).status).toBe(401);
    });
  },
  { clock: () => new TickingClock() },
);
