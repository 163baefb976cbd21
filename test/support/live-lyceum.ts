/**
 * A Lyceum listening on a real port for tests that talk to it as an integrator would (the SDK,
 * the example receiver, the CLI's remote commands): API and dispatcher in one process on a
 * fresh database, loopback receivers allowed over http, quick retries, and an admin key with a
 * limit high enough that rate limiting never gets in the way.
 */
import { loadConfig } from '../../src/config.js';
import type { DialectName } from '../../src/db/database.js';
import { createApiKey } from '../../src/keys/api-keys.js';
import { type RunningLyceum, startLyceum } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/** A started Lyceum and what a test needs to talk to it. */
export interface LiveLyceum {
  lyceum: RunningLyceum;
  url: string;
  adminKey: string;
  testDatabase: TestDatabase;
  /** Makes another key, e.g. a read-only one or one with a low rate limit. */
  key(scopes: Array<'admin' | 'write' | 'read'>, rateLimitPerMinute?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Starts Lyceum on port 0 of 127.0.0.1 over a new database of `dialect`. */
export async function startLiveLyceum(
  dialect: DialectName = 'sqlite',
  env: Record<string, string> = {},
): Promise<LiveLyceum> {
  const testDatabase = await createTestDatabase(dialect);
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: testDatabase.url,
    LYCEUM_ROLE: 'all',
    LYCEUM_WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
    LYCEUM_WEBHOOK_ALLOW_HTTP: 'true',
    LYCEUM_WEBHOOK_RETRY_SCHEDULE: '50ms,50ms,50ms',
    LYCEUM_WEBHOOK_TIMEOUT: '2s',
    ...env,
  });
  const lyceum = await startLyceum(config);
  const key = async (scopes: Array<'admin' | 'write' | 'read'>, rateLimitPerMinute = 600_000) =>
    (await createApiKey(lyceum.context, { name: 'live test', scopes, rateLimitPerMinute })).key;
  const adminKey = await key(['admin']);
  return {
    lyceum,
    url: lyceum.url,
    adminKey,
    testDatabase,
    key,
    stop: async () => {
      await lyceum.stop();
      await testDatabase.dispose();
    },
  };
}
