import { expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { describeEachDatabase } from './support/harness.js';

describeEachDatabase(
  'per-key rate limits',
  (h) => {
    const clock = () => h.context.clock as ManualClock;

    it('lets a burst of 20 through, then answers 429 with Retry-After and retryAfter', async () => {
      const { body: key } = await h.call('POST', '/v2/api-keys', {
        body: { name: 'burst', scopes: ['read'] },
      });
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof h.call>> | undefined;
      for (let i = 0; i < 21; i++) {
        last = await h.call('GET', '/v2/ping', { key: key.key });
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
      expect(last!.status).toBe(429);
      expect(last!.headers['retry-after']).toBe('1');
      expect(last!.body).toMatchObject({ status: 429, retryAfter: 1 });
      expect(last!.headers['content-type']).toContain('application/problem+json');
      expect(last!.headers['x-ratelimit-limit']).toBe('120');
      expect(last!.headers['x-ratelimit-remaining']).toBe('0');

      clock().advance(500);
      const after = await h.call('GET', '/v2/ping', { key: key.key });
      expect(after.status).toBe(200);
      expect(Number(after.headers['x-ratelimit-reset'])).toBe(
        Math.ceil((clock().now() + 10_000) / 1000),
      );
    });

    it('puts the headers on every answer, errors included', async () => {
      const missing = await h.call('GET', '/v2/users/usr_00000000000000000000000000', {
        key: h.keys.read,
      });
      expect(missing.status).toBe(404);
      expect(missing.headers['x-ratelimit-limit']).toBeDefined();
      expect(missing.headers['x-ratelimit-remaining']).toBeDefined();
      expect(missing.headers['x-ratelimit-reset']).toBeDefined();
    });

    it('honours a per-key limit set through the API', async () => {
      const { body: key } = await h.call('POST', '/v2/api-keys', {
        body: { name: 'fast', scopes: ['read'], rateLimit: '6000/min' },
      });
      expect(key.rateLimitPerMinute).toBe(6000);
      const statuses = new Set<number>();
      for (let i = 0; i < 200; i++) {
        statuses.add((await h.call('GET', '/v2/ping', { key: key.key })).status);
      }
      expect([...statuses]).toEqual([200]);
      const reply = await h.call('GET', '/v2/ping', { key: key.key });
      expect(reply.headers['x-ratelimit-limit']).toBe('6000');

      const bad = await h.call('POST', '/v2/api-keys', {
        body: { name: 'bad', scopes: ['read'], rateLimit: 'lots' },
      });
      expect(bad.status).toBe(400);
    });

    it('keeps budgets apart per key', async () => {
      const make = async (name: string) =>
        (await h.call('POST', '/v2/api-keys', { body: { name, scopes: ['read'] } })).body.key;
      const a = await make('a');
      const b = await make('b');
      for (let i = 0; i < 20; i++) await h.call('GET', '/v2/ping', { key: a });
      expect((await h.call('GET', '/v2/ping', { key: a })).status).toBe(429);
      expect((await h.call('GET', '/v2/ping', { key: b })).status).toBe(200);
    });
  },
  { clock: () => new ManualClock(Date.parse('2026-05-01T00:00:00Z')) },
);

describeEachDatabase(
  'rate limits while Redis is unreachable',
  (h) => {
    it('keeps answering, enforces per-process limits and says so in /readyz', async () => {
      const { body: key } = await h.call('POST', '/v2/api-keys', {
        body: { name: 'default limit', scopes: ['read'] },
      });
      for (let i = 0; i < 20; i++) {
        expect((await h.call('GET', '/v2/ping', { key: key.key })).status).toBe(200);
      }
      expect((await h.call('GET', '/v2/ping', { key: key.key })).status).toBe(429);
      const ready = await h.call('GET', '/readyz', { key: null });
      expect(ready.status).toBe(200);
      expect(ready.body.checks.rateLimit).toMatchObject({ store: 'redis', ok: false });
      expect(ready.body.checks.rateLimit.error).toMatch(/per-process limits/);
    });
  },
  {
    clock: () => new ManualClock(),
    config: (c) => ({ ...c, redisUrl: 'redis://127.0.0.1:1' }),
  },
);
