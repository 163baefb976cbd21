import { expect, it } from 'vitest';
import type { AppContext } from '../src/context.js';
import { transact, type WriteContext } from '../src/db/transaction.js';
import { recordEvent } from '../src/events/outbox.js';
import { describeEachDatabase } from './support/harness.js';

/** Rows in the tables a change and its event land in. */
async function counts(context: AppContext) {
  const db = context.database.db;
  const count = async (table: 'users' | 'events' | 'subscriptions') => {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    users: await count('users'),
    events: await count('events'),
    subscriptions: await count('subscriptions'),
  };
}

describeEachDatabase('outbox', (h) => {
  let emails = 0;
  const nextEmail = () => {
    emails += 1;
    return `outbox${emails}@example.com`;
  };

  async function insertUser(write: WriteContext) {
    const now = h.context.clock.now();
    const id = h.context.ids.next('user');
    await write.trx
      .insertInto('users')
      .values({
        id,
        email: nextEmail(),
        first_name: 'Out',
        last_name: 'Box',
        external_customer_id: null,
        role: 'learner',
        created_at: now,
        updated_at: now,
        deleted_at: null,
      })
      .execute();
    return id;
  }

  it('a transaction that records a change and its event, then throws, leaves neither', async () => {
    const before = await counts(h.context);
    let recordedId: string | undefined;

    const failure = new Error('the work after the event failed');
    await expect(
      transact(h.context.database, async (write) => {
        const userId = await insertUser(write);
        const event = await recordEvent(h.context, write, 'user.created', { userId });
        recordedId = event.id;
        throw failure;
      }),
    ).rejects.toBe(failure);

    expect(recordedId).toMatch(/^evt_/);
    expect(await counts(h.context)).toEqual(before);
    const stray = await h.context.database.db
      .selectFrom('events')
      .select('id')
      .where('id', '=', recordedId ?? '')
      .execute();
    expect(stray).toEqual([]);
  });

  it('a committed transaction leaves both the change and its event', async () => {
    const before = await counts(h.context);

    const { userId, eventId } = await transact(h.context.database, async (write) => {
      const id = await insertUser(write);
      const event = await recordEvent(h.context, write, 'user.created', { userId: id });
      return { userId: id, eventId: event.id };
    });

    expect(await counts(h.context)).toEqual({
      ...before,
      users: before.users + 1,
      events: before.events + 1,
    });
    const event = await h.context.database.db
      .selectFrom('events')
      .selectAll()
      .where('id', '=', eventId)
      .executeTakeFirstOrThrow();
    expect(event.type).toBe('user.created');
    expect(JSON.parse(event.data)).toEqual({ userId });
  });

  it('a request refused by validation records no event', async () => {
    const { body: user } = await h.call('POST', '/v2/users', {
      body: { email: nextEmail(), firstName: 'Val', lastName: 'Idation' },
    });
    const before = await counts(h.context);

    const refusals = [
      await h.call('POST', '/v2/users', { body: { email: 'not an email', firstName: 'X' } }),
      await h.call('PATCH', `/v2/users/${user.id}`, { body: { role: 'emperor' } }),
      await h.call('POST', '/v2/subscriptions', { body: { userId: user.id, plan: 'Bad Plan' } }),
      await h.call('POST', '/v2/subscriptions', {
        body: { userId: 'usr_00000000000000000000000000', plan: 'pro' },
      }),
    ];
    expect(refusals.map((reply) => reply.status)).toEqual([400, 400, 400, 422]);
    expect(await counts(h.context)).toEqual(before);
  });

  it('an update that changes nothing records no event', async () => {
    const email = nextEmail();
    const { body: user } = await h.call('POST', '/v2/users', {
      body: { email, firstName: 'Same', lastName: 'Again' },
    });
    const { body: sub } = await h.call('POST', '/v2/subscriptions', {
      body: { userId: user.id, plan: 'pro' },
    });
    const before = await counts(h.context);

    const userPatch = await h.call('PATCH', `/v2/users/${user.id}`, {
      body: { firstName: 'Same', lastName: 'Again', email: email.toUpperCase() },
    });
    expect(userPatch.status).toBe(200);
    expect(userPatch.body.updatedAt).toBe(user.updatedAt);
    const subPatch = await h.call('PATCH', `/v2/subscriptions/${sub.id}`, {
      body: { plan: 'pro', status: 'active' },
    });
    expect(subPatch.status).toBe(200);
    expect(subPatch.body.updatedAt).toBe(sub.updatedAt);

    expect(await counts(h.context)).toEqual(before);
  });
});
