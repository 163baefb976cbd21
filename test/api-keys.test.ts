import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { createContext } from '../src/context.js';
import { ManualClock } from '../src/shared/clock.js';
import { createLogger } from '../src/shared/logger.js';
import { describeEachDatabase } from './support/harness.js';

const logLines: string[] = [];
const capture = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(chunk.toString());
    done();
  },
});

describeEachDatabase(
  'API keys',
  (h) => {
    const clock = () => h.context.clock as ManualClock;

    it('creates a key shown once, lists it by prefix without the key, and revokes it', async () => {
      const created = await h.call('POST', '/v2/api-keys', {
        body: { name: 'crm', scopes: ['read', 'write'] },
      });
      expect(created.status).toBe(201);
      expect(created.body.key).toMatch(/^lyk_/);
      expect(created.body.key.startsWith(created.body.prefix)).toBe(true);

      const listed = await h.call('GET', '/v2/api-keys');
      const entry = listed.body.data.find((k: { id: string }) => k.id === created.body.id);
      expect(entry).toMatchObject({ name: 'crm', scopes: ['read', 'write'], revokedAt: null });
      expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
      const stored = await h.context.database.db.selectFrom('api_keys').selectAll().execute();
      expect(JSON.stringify(stored)).not.toContain(created.body.key);

      expect((await h.call('GET', '/v2/ping', { key: created.body.key })).status).toBe(200);
      const revoked = await h.call('DELETE', `/v2/api-keys/${created.body.id}`);
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).not.toBeNull();
      // At once in the process that revoked it.
      expect((await h.call('GET', '/v2/ping', { key: created.body.key })).status).toBe(401);
    });

    it('stops a revoked key in other processes within the cache lifetime', async () => {
      const other = createContext({
        config: h.context.config,
        database: h.context.database,
        logger: createLogger('silent'),
        clock: h.context.clock,
      });
      const otherApp = await buildApp(other);
      try {
        const { body: key } = await h.call('POST', '/v2/api-keys', {
          body: { name: 'shared', scopes: ['read'] },
        });
        const ping = () =>
          otherApp.inject({ url: '/v2/ping', headers: { authorization: `Bearer ${key.key}` } });
        expect((await ping()).statusCode).toBe(200);
        await h.call('DELETE', `/v2/api-keys/${key.id}`);
        clock().advance(2000);
        expect((await ping()).statusCode).toBe(401);
      } finally {
        await otherApp.close();
      }
    });

    it('answers an unknown key and a revoked key the same way', async () => {
      const { body: key } = await h.call('POST', '/v2/api-keys', {
        body: { name: 'gone', scopes: ['read'] },
      });
      await h.call('DELETE', `/v2/api-keys/${key.id}`);
      const revoked = await h.call('GET', '/v2/users', { key: key.key });
      const unknown = await h.call('GET', '/v2/users', { key: `lyk_${'x'.repeat(43)}` });
      expect(revoked.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(revoked.body).toEqual(unknown.body);
    });

    it('requires admin for key management', async () => {
      expect((await h.call('GET', '/v2/api-keys', { key: h.keys.write })).status).toBe(403);
      const made = await h.call('POST', '/v2/api-keys', {
        key: h.keys.write,
        body: { name: 'x', scopes: ['admin'] },
      });
      expect(made.status).toBe(403);
      const missing = await h.call('DELETE', '/v2/api-keys/key_00000000000000000000000000');
      expect(missing.status).toBe(404);
    });

    it('never writes a key to the log', async () => {
      const { body: key } = await h.call('POST', '/v2/api-keys', {
        body: { name: 'logged', scopes: ['read'] },
      });
      await h.call('GET', '/v2/ping', { key: key.key });
      await h.call('GET', '/v2/users/not-an-id', { key: key.key });
      await h.call('POST', '/v2/users', { key: key.key, body: { email: 'x' } });
      await h.call('GET', '/v2/ping', { key: `${key.key}tampered` });
      await h.call('DELETE', `/v2/api-keys/${key.id}`);
      await h.call('GET', '/v2/ping', { key: key.key });
      h.context.logger.info({ apiKey: key.key, headers: { authorization: key.key } }, 'probe');
      h.context.logger.flush?.();
      expect(logLines.length).toBeGreaterThan(0);
      const text = logLines.join('');
      expect(text).not.toContain(key.key);
      expect(text).not.toContain(key.key.slice(12));
      for (const k of Object.values(h.keys)) expect(text).not.toContain(k);
    });
  },
  {
    clock: () => new ManualClock(Date.parse('2026-06-01T00:00:00Z')),
    logger: () => createLogger('debug', capture),
  },
);
