import { sql } from 'kysely';
import Value from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.js';
import type { LyceumApp } from '../src/api/types.js';
import { loadConfig } from '../src/config.js';
import { type AppContext, createContext } from '../src/context.js';
import { transact } from '../src/db/transaction.js';
import { EVENT_TYPES, envelopeSchema, isEventType } from '../src/events/catalog.js';
import { readEventFeed } from '../src/events/feed.js';
import { EVENT_ORDER_LOCK, recordEvent } from '../src/events/outbox.js';
import { createApiKey } from '../src/keys/api-keys.js';
import { ManualClock } from '../src/shared/clock.js';
import { createLogger } from '../src/shared/logger.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/database.js';
import { describeEachDatabase } from './support/harness.js';

const T0 = Date.parse('2026-02-01T00:00:00.000Z');

interface Envelope {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** Every stored event as the feed should show it, in seq (commit) order. */
async function storedEvents(context: AppContext) {
  const rows = await context.database.db
    .selectFrom('events')
    .selectAll()
    .orderBy('seq', 'asc')
    .execute();
  return rows.map((row) => ({ id: row.id, type: row.type, createdAt: row.created_at }));
}

describeEachDatabase(
  'event feed',
  (h) => {
    const clock = () => h.context.clock as ManualClock;
    let emails = 0;

    async function feed(query: Record<string, string>) {
      return h.call('GET', '/v2/events', { key: h.keys.read, query });
    }

    /** Follows cursors from `start` until a page says nothing more is available. */
    async function readAll(query: Record<string, string>, start?: string) {
      const seen: Envelope[] = [];
      let cursor = start;
      for (;;) {
        const page = await feed({ ...query, ...(cursor ? { cursor } : {}) });
        expect(page.status).toBe(200);
        seen.push(...page.body.data);
        expect(page.body.pageInfo.cursor).toEqual(expect.any(String));
        cursor = page.body.pageInfo.cursor;
        if (!page.body.pageInfo.hasMore) return { seen, cursor: cursor as string };
      }
    }

    /** Makes a user, updates it and starts a subscription: four events, one second apart. */
    async function makeActivity(): Promise<void> {
      emails += 1;
      clock().advance(1000);
      const user = await h.call('POST', '/v2/users', {
        body: { email: `feed${emails}@example.com`, firstName: 'Feed', lastName: 'Reader' },
      });
      clock().advance(1000);
      await h.call('PATCH', `/v2/users/${user.body.id}`, { body: { lastName: 'Writer' } });
      clock().advance(1000);
      const sub = await h.call('POST', '/v2/subscriptions', {
        body: { userId: user.body.id, plan: 'pro' },
      });
      clock().advance(1000);
      await h.call('PATCH', `/v2/subscriptions/${sub.body.id}`, { body: { status: 'past_due' } });
    }

    beforeAll(async () => {
      for (let i = 0; i < 4; i++) await makeActivity();
    });

    it('pages through every event once, in commit order, each a valid envelope', async () => {
      const { seen } = await readAll({ limit: '3' });
      const stored = await storedEvents(h.context);
      expect(stored).toHaveLength(16);
      expect(seen.map((e) => e.id)).toEqual(stored.map((e) => e.id));

      for (const event of seen) {
        expect(Object.keys(event).sort()).toEqual(['data', 'id', 'timestamp', 'type']);
        expect(isEventType(event.type)).toBe(true);
        if (!isEventType(event.type)) continue;
        expect(Value.Check(envelopeSchema(event.type), event), JSON.stringify(event)).toBe(true);
      }
      const update = seen.find((e) => e.type === 'user.updated');
      expect(update?.data.changed).toEqual(['lastName']);
    });

    it('keeps a cursor on a short or empty page so a client can tail the feed', async () => {
      const first = await feed({});
      expect(first.body.data).toHaveLength(16);
      expect(first.body.pageInfo.hasMore).toBe(false);
      const tail = first.body.pageInfo.cursor as string;

      const empty = await feed({ cursor: tail });
      expect(empty.body.data).toEqual([]);
      expect(empty.body.pageInfo).toEqual({ cursor: tail, hasMore: false });

      await makeActivity();
      const next = await feed({ cursor: tail, limit: '3' });
      expect(next.body.data.map((e: Envelope) => e.type)).toEqual([
        'user.created',
        'user.updated',
        'subscription.created',
      ]);
      expect(next.body.pageInfo.hasMore).toBe(true);
      const rest = await feed({ cursor: next.body.pageInfo.cursor });
      expect(rest.body.data.map((e: Envelope) => e.type)).toEqual(['subscription.updated']);
      expect(rest.body.pageInfo.hasMore).toBe(false);
      expect(rest.body.pageInfo.cursor).not.toBe(tail);
    });

    it('filters by type, across pages', async () => {
      const types = 'subscription.updated, user.created';
      const { seen } = await readAll({ types, limit: '2' });
      const stored = await storedEvents(h.context);
      const wanted = stored.filter((e) =>
        ['subscription.updated', 'user.created'].includes(e.type),
      );
      expect(wanted.length).toBeGreaterThan(4);
      expect(seen.map((e) => e.id)).toEqual(wanted.map((e) => e.id));

      const none = await feed({ types: 'webhook.test' });
      expect(none.body.data).toEqual([]);
      expect(none.body.pageInfo.cursor).toEqual(expect.any(String));
    });

    it('filters by time: since inclusive, until exclusive', async () => {
      const stored = await storedEvents(h.context);
      const from = stored[3]!.createdAt;
      const to = stored[9]!.createdAt;
      const { seen } = await readAll({
        since: new Date(from).toISOString(),
        until: new Date(to).toISOString(),
        limit: '4',
      });
      expect(seen.map((e) => e.id)).toEqual(stored.slice(3, 9).map((e) => e.id));

      const combined = await feed({ since: new Date(from).toISOString(), types: 'user.updated' });
      const expected = stored.filter((e) => e.createdAt >= from && e.type === 'user.updated');
      expect(combined.body.data.map((e: Envelope) => e.id)).toEqual(expected.map((e) => e.id));
    });

    it('refuses an unknown type, naming it, and other bad input with 400', async () => {
      const unknown = await feed({ types: 'user.created,user.exploded' });
      expect(unknown.status).toBe(400);
      expect(unknown.headers['content-type']).toContain('application/problem+json');
      expect(unknown.body.detail).toContain('user.exploded');

      const wrongShape = Buffer.from(JSON.stringify({ s: null, t: 1, u: 1, i: 'x' })).toString(
        'base64url',
      );
      const negative = Buffer.from(JSON.stringify({ q: -1 })).toString('base64url');
      const badQueries: Record<string, string>[] = [
        { cursor: 'garbage!!' },
        { cursor: wrongShape },
        { cursor: negative },
        { types: ' , ' },
        { since: 'yesterday' },
        { since: '2026-02-02T00:00:00Z', until: '2026-02-01T00:00:00Z' },
        { limit: '0' },
        { limit: '101' },
        { unknown: '1' },
      ];
      for (const query of badQueries) {
        const refused = await feed(query);
        expect(refused.status, JSON.stringify(query)).toBe(400);
        expect(refused.headers['content-type']).toContain('application/problem+json');
      }
    });

    it('needs an API key', async () => {
      expect((await h.call('GET', '/v2/events', { key: null })).status).toBe(401);
      expect((await h.call('GET', '/v2/event-types', { key: null })).status).toBe(401);
    });

    it('lists every catalog type with its description and envelope schema', async () => {
      const answer = await h.call('GET', '/v2/event-types', { key: h.keys.read });
      expect(answer.status).toBe(200);
      const listed = answer.body.data as { type: string; description: string; schema: object }[];
      expect(listed.map((t) => t.type)).toEqual(EVENT_TYPES);
      for (const entry of listed) {
        expect(entry.description.length).toBeGreaterThan(0);
        if (!isEventType(entry.type)) throw new Error(`${entry.type} is not in the catalog`);
        expect(entry.schema).toEqual(JSON.parse(JSON.stringify(envelopeSchema(entry.type))));
      }
    });

    it('documents the tailing cursor in the OpenAPI document', async () => {
      const doc = await h.call('GET', '/v2/openapi.json', { key: null });
      const route = doc.body.paths['/v2/events'].get;
      expect(route.description).toContain('poll');
      expect(doc.body.paths['/v2/event-types']).toBeDefined();
    });
  },
  { clock: () => new ManualClock(T0) },
);

/**
 * Writers commit concurrently while a reader tails the feed. On PostgreSQL, sequence numbers are
 * handed out at insert time, so without the outbox's commit-order lock a transaction holding a
 * lower seq can commit after one holding a higher seq that the reader has already passed, and
 * the reader would never see it.
 */
const WRITERS = 8;
const TRANSACTIONS_PER_WRITER = 25;

for (const dialect of DIALECTS) {
  describe(`event feed under concurrent writers [${dialect}]`, () => {
    let testDatabase: TestDatabase;
    let context: AppContext;
    let app: LyceumApp;
    let readKey: string;

    beforeAll(async () => {
      // Every writer holds a connection for its whole transaction; the reader needs more.
      testDatabase = await createTestDatabase(dialect, { poolSize: WRITERS + 8 });
      const config = loadConfig({ LOG_LEVEL: 'silent' });
      context = createContext({
        config,
        database: testDatabase.database,
        logger: createLogger('silent'),
      });
      app = await buildApp(context);
      await app.ready();
      // The reader polls as fast as it can; the default per-key rate limit would refuse it.
      const reader = { name: 'reader', scopes: ['read' as const], rateLimitPerMinute: 6_000_000 };
      readKey = (await createApiKey(context, reader)).key;
    });

    afterAll(async () => {
      await app?.close();
      await testDatabase?.dispose();
    });

    async function writer(index: number): Promise<void> {
      for (let i = 0; i < TRANSACTIONS_PER_WRITER; i++) {
        await transact(context.database, async (write) => {
          const now = context.clock.now();
          const userId = context.ids.next('user');
          await write.trx
            .insertInto('users')
            .values({
              id: userId,
              email: `w${index}-${i}@example.com`,
              first_name: 'Concurrent',
              last_name: 'Writer',
              external_customer_id: null,
              role: 'learner',
              created_at: now,
              updated_at: now,
              deleted_at: null,
            })
            .execute();
          await recordEvent(context, write, 'user.created', { userId });
          if (write.dialect === 'postgres') {
            // Hold the transaction open after the insert for a random moment, so commits
            // finish in a different order than their inserts started.
            await sql`select pg_sleep(random() * 0.01)`.execute(write.trx);
          }
        });
      }
    }

    async function page(cursor: string | undefined) {
      const response = await app.inject({
        method: 'GET',
        url: '/v2/events',
        headers: { authorization: `Bearer ${readKey}` },
        query: { limit: '7', ...(cursor ? { cursor } : {}) },
      });
      expect(response.statusCode).toBe(200);
      return response.json() as {
        data: Envelope[];
        pageInfo: { cursor: string; hasMore: boolean };
      };
    }

    it('a tailing reader sees every committed event exactly once, in seq order', async () => {
      let writing = true;
      const writers = Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(i))).finally(
        () => {
          writing = false;
        },
      );

      const seen: string[] = [];
      let cursor: string | undefined;
      let drained = false;
      while (!drained) {
        // Read the flag before the page: a page that starts after the writers finished and
        // says nothing more is available proves the reader has caught up.
        const writersDone = !writing;
        const answer = await page(cursor);
        seen.push(...answer.data.map((event) => event.id));
        cursor = answer.pageInfo.cursor;
        if (!answer.pageInfo.hasMore) {
          if (writersDone) drained = true;
          else await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }
      await writers;

      const stored = await storedEvents(context);
      expect(stored).toHaveLength(WRITERS * TRANSACTIONS_PER_WRITER);
      expect(new Set(seen).size).toBe(seen.length);
      const missed = stored.filter((event) => !seen.includes(event.id));
      expect(missed, `${missed.length} committed events were skipped by the reader`).toEqual([]);
      expect(seen).toEqual(stored.map((event) => event.id));
    });

    if (dialect === 'postgres') {
      it('answers 503 with Retry-After while an event transaction stays open, and reads after it ends', async () => {
        const pool = testDatabase.database.pool;
        if (!pool) throw new Error('a PostgreSQL test database has a pool');
        const stuck = await pool.connect();
        try {
          // An event transaction that does not end: it holds the order lock as the outbox does.
          await stuck.query('begin');
          await stuck.query(
            'select pg_advisory_xact_lock_shared($1::int, hashtext(current_schema()))',
            [EVENT_ORDER_LOCK],
          );

          await expect(readEventFeed(context, {}, { waitMs: 100 })).rejects.toMatchObject({
            status: 503,
            slug: 'feed-busy',
          });
          const refused = await app.inject({
            method: 'GET',
            url: '/v2/events',
            headers: { authorization: `Bearer ${readKey}` },
          });
          expect(refused.statusCode).toBe(503);
          expect(refused.headers['retry-after']).toBe('1');
          expect(refused.headers['content-type']).toContain('application/problem+json');
        } finally {
          await stuck.query('rollback');
          stuck.release();
        }
        const page = await readEventFeed(context, {}, { waitMs: 100 });
        expect(page.pageInfo.cursor).toEqual(expect.any(String));
      });
    }
  });
}
