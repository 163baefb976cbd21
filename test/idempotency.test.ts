import { expect, it } from 'vitest';
import { describeEachDatabase } from './support/harness.js';

describeEachDatabase('Idempotency-Key on POST', (h) => {
  const usersWithEmail = async (email: string) =>
    (
      await h.context.database.db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', email)
        .execute()
    ).length;
  const eventCount = async () =>
    Number(
      (
        await h.context.database.db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('replays the first answer for the same key and body, without doing the work again', async () => {
    const body = { email: 'idem@example.com', firstName: 'I', lastName: 'D' };
    const headers = { 'idempotency-key': 'create-idem-1' };
    const first = await h.call('POST', '/v2/users', { body, headers });
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const events = await eventCount();

    const second = await h.call('POST', '/v2/users', { body, headers });
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(await usersWithEmail('idem@example.com')).toBe(1);
    expect(await eventCount()).toBe(events);
  });

  it('refuses the same key with a different body (422)', async () => {
    const headers = { 'idempotency-key': 'create-idem-2' };
    await h.call('POST', '/v2/users', {
      body: { email: 'idem2@example.com', firstName: 'I', lastName: 'D' },
      headers,
    });
    const other = await h.call('POST', '/v2/users', {
      body: { email: 'idem3@example.com', firstName: 'I', lastName: 'D' },
      headers,
    });
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('urn:lyceum:problem:idempotency-key-reused');
    expect(await usersWithEmail('idem3@example.com')).toBe(0);
  });

  it('does the work once for two concurrent requests with one key', async () => {
    const body = { email: 'race@example.com', firstName: 'R', lastName: 'C' };
    const headers = { 'idempotency-key': 'race-1' };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => h.call('POST', '/v2/users', { body, headers })),
    );
    expect(await usersWithEmail('race@example.com')).toBe(1);
    const created = answers.filter((a) => a.status === 201);
    expect(created.filter((a) => a.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    for (const answer of answers) expect([201, 409]).toContain(answer.status);
  });

  it('replays refusals too, and keeps keys apart per API key', async () => {
    const headers = { 'idempotency-key': 'shared-name' };
    const body = { email: 'not-an-email-but-valid@example.com', firstName: 'A', lastName: 'B' };
    const first = await h.call('POST', '/v2/users', { body, headers, key: h.keys.write });
    expect(first.status).toBe(201);
    const otherKey = await h.call('POST', '/v2/users', { body, headers, key: h.keys.admin });
    expect(otherKey.status).toBe(409); // same email, but a fresh request: the work was tried
    const replay = await h.call('POST', '/v2/users', { body, headers, key: h.keys.admin });
    expect(replay.status).toBe(409);
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });

  it('never replays a new API key, which is shown once', async () => {
    const headers = { 'idempotency-key': 'key-once' };
    const body = { name: 'once', scopes: ['read'] };
    const first = await h.call('POST', '/v2/api-keys', { body, headers });
    expect(first.status).toBe(201);
    const again = await h.call('POST', '/v2/api-keys', { body, headers });
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.body)).not.toContain(first.body.key);
    const stored = await h.context.database.db.selectFrom('idempotency_keys').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(first.body.key);
  });

  it('refuses a malformed key', async () => {
    const reply = await h.call('POST', '/v2/users', {
      body: { email: 'x@example.com', firstName: 'A', lastName: 'B' },
      headers: { 'idempotency-key': 'a'.repeat(300) },
    });
    expect(reply.status).toBe(400);
  });
});
