import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { createApiKey } from '../src/keys/api-keys.js';
import { createLogger } from '../src/shared/logger.js';
import { startServe as serve, type startServe, stopChild } from './support/cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/database.js';
import { REDIS_URL, redisAvailable } from './support/services.js';

type Served = Awaited<ReturnType<typeof startServe>>;

for (const dialect of DIALECTS) {
  describe.skipIf(!redisAvailable)(`rate limits shared through Redis [${dialect}]`, () => {
    let testDatabase: TestDatabase;
    const processes: Served[] = [];

    beforeAll(async () => {
      testDatabase = await createTestDatabase(dialect);
      const env = { DATABASE_URL: testDatabase.url, REDIS_URL, LYCEUM_ROLE: 'api' };
      processes.push(await serve(env), await serve(env));
    });
    afterAll(async () => {
      for (const served of processes) await stopChild(served.child);
      await testDatabase.dispose();
    });

    it('spends one budget per key across two API processes', async () => {
      const context = createContext({
        config: loadConfig({}),
        database: testDatabase.database,
        logger: createLogger('silent'),
      });
      // 30 a minute refills one token every 2 s, so the test runs on the burst of 20 alone.
      const { key } = await createApiKey(context, {
        name: 'shared',
        scopes: ['read'],
        rateLimitPerMinute: 30,
      });

      const statuses: number[] = [];
      for (let i = 0; i < 15; i++) {
        for (const served of processes) {
          const reply = await fetch(`${served.url}/v2/ping`, {
            headers: { authorization: `Bearer ${key}` },
          });
          statuses.push(reply.status);
        }
      }
      const allowed = statuses.filter((s) => s === 200).length;
      // Two private budgets would let all 30 through; one shared budget lets about 20.
      expect(allowed).toBeGreaterThanOrEqual(20);
      expect(allowed).toBeLessThanOrEqual(22);
      expect(statuses.filter((s) => s === 429).length).toBe(30 - allowed);
    });
  });
}
