import { expect, it } from 'vitest';
import { describeEachDatabase } from './support/harness.js';

describeEachDatabase('users API', (h) => {
  const newUser = (email: string, extra: Record<string, unknown> = {}) => ({
    email,
    firstName: 'Ada',
    lastName: 'Lovelace',
    ...extra,
  });

  async function eventsOf(userId: string) {
    const rows = await h.context.database.db
      .selectFrom('events')
      .selectAll()
      .orderBy('seq')
      .execute();
    return rows.filter((row) => JSON.parse(row.data).userId === userId).map((row) => row.type);
  }

  it('creates a user and records user.created in the same transaction', async () => {
    const created = await h.call('POST', '/v2/users', {
      body: newUser('Ada@Example.com', { externalCustomerId: 'crm-1' }),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      email: 'ada@example.com',
      firstName: 'Ada',
      externalCustomerId: 'crm-1',
      role: 'learner',
    });
    expect(created.body.id).toMatch(/^usr_/);
    expect(await eventsOf(created.body.id)).toEqual(['user.created']);

    const read = await h.call('GET', `/v2/users/${created.body.id}`, { key: h.keys.read });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('refuses a second user with the same email unless upsert is set', async () => {
    const first = await h.call('POST', '/v2/users', { body: newUser('dup@example.com') });
    const again = await h.call('POST', '/v2/users', { body: newUser('DUP@example.com') });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');

    const upserted = await h.call('POST', '/v2/users', {
      body: newUser('dup@example.com', { firstName: 'Augusta', upsert: true }),
    });
    expect(upserted.status).toBe(200);
    expect(upserted.body).toMatchObject({ id: first.body.id, firstName: 'Augusta' });
    const events = await h.context.database.db
      .selectFrom('events')
      .selectAll()
      .where('type', '=', 'user.updated')
      .execute();
    const update = events.find((e) => JSON.parse(e.data).userId === first.body.id);
    expect(JSON.parse(update!.data).changed).toEqual(['firstName']);

    const unchanged = await h.call('POST', '/v2/users', {
      body: newUser('dup@example.com', { firstName: 'Augusta', upsert: true }),
    });
    expect(unchanged.status).toBe(200);
    expect(await eventsOf(first.body.id)).toEqual(['user.created', 'user.updated']);
  });

  it('patches only what changed and says so in the event', async () => {
    const { body: user } = await h.call('POST', '/v2/users', {
      body: newUser('patch@example.com'),
    });
    const patched = await h.call('PATCH', `/v2/users/${user.id}`, {
      body: { lastName: 'Byron', role: 'instructor', firstName: 'Ada' },
      key: h.keys.write,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ lastName: 'Byron', role: 'instructor' });
    const update = await h.context.database.db
      .selectFrom('events')
      .selectAll()
      .where('type', '=', 'user.updated')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(update.data)).toEqual({ userId: user.id, changed: ['lastName', 'role'] });
  });

  it('deletes a user: gone from reads, email free again, user.deleted recorded', async () => {
    const { body: user } = await h.call('POST', '/v2/users', { body: newUser('gone@example.com') });
    expect((await h.call('DELETE', `/v2/users/${user.id}`)).status).toBe(204);
    expect((await h.call('GET', `/v2/users/${user.id}`)).status).toBe(404);
    expect((await h.call('DELETE', `/v2/users/${user.id}`)).status).toBe(404);
    expect(await eventsOf(user.id)).toEqual(['user.created', 'user.deleted']);
    const again = await h.call('POST', '/v2/users', { body: newUser('gone@example.com') });
    expect(again.status).toBe(201);
  });

  it('lists with filters and cursor pages', async () => {
    for (let i = 0; i < 5; i++) {
      await h.call('POST', '/v2/users', {
        body: newUser(`page${i}@example.com`, { externalCustomerId: 'crm-page' }),
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = { externalCustomerId: 'crm-page', limit: '2' };
      if (cursor) query.cursor = cursor;
      const page = await h.call('GET', '/v2/users', { query });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((u: { email: string }) => u.email));
      cursor = page.body.pageInfo.cursor;
      expect(page.body.pageInfo.hasMore).toBe(cursor !== null);
    } while (cursor);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `page${i}@example.com`));

    const byEmail = await h.call('GET', '/v2/users', { query: { email: 'PAGE3@example.com' } });
    expect(byEmail.body.data).toHaveLength(1);
  });

  it('answers bad input with a problem, never a 500', async () => {
    const invalid = await h.call('POST', '/v2/users', { body: { email: 'nope', extra: 1 } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(
      expect.arrayContaining(['/email', '/extra', '/firstName']),
    );
    const badCursor = await h.call('GET', '/v2/users', { query: { cursor: 'garbage!!' } });
    expect(badCursor.status).toBe(400);
    const badId = await h.call('GET', '/v2/users/nope');
    expect(badId.status).toBe(400);
    const missing = await h.call('GET', '/v2/users/usr_00000000000000000000000000');
    expect(missing.status).toBe(404);
    const notJson = await h.app.inject({
      method: 'POST',
      url: '/v2/users',
      headers: { authorization: `Bearer ${h.keys.admin}`, 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(notJson.statusCode).toBe(400);
    const wrongType = await h.app.inject({
      method: 'POST',
      url: '/v2/users',
      headers: { authorization: `Bearer ${h.keys.admin}`, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(wrongType.statusCode).toBe(415);
  });

  it('treats an empty JSON body as no body', async () => {
    const empty = await h.app.inject({
      method: 'POST',
      url: '/v2/users',
      headers: { authorization: `Bearer ${h.keys.admin}`, 'content-type': 'application/json' },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().detail).toMatch(/body/);
    const poisoned = await h.app.inject({
      method: 'POST',
      url: '/v2/users',
      headers: { authorization: `Bearer ${h.keys.admin}`, 'content-type': 'application/json' },
      payload: '{"email":"p@example.com","firstName":"P","lastName":"Q","__proto__":{"x":1}}',
    });
    expect(poisoned.statusCode).toBe(400);
  });

  it('requires a key with the right scope', async () => {
    expect((await h.call('GET', '/v2/users', { key: null })).status).toBe(401);
    expect((await h.call('GET', '/v2/users', { key: 'lyk_unknown' })).status).toBe(401);
    const readOnly = await h.call('POST', '/v2/users', {
      body: newUser('scope@example.com'),
      key: h.keys.read,
    });
    expect(readOnly.status).toBe(403);
    expect((await h.call('GET', '/v2/ping', { key: h.keys.read })).body).toEqual({ valid: true });
  });
});
