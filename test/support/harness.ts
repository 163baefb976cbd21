/**
 * The harness of API tests: a migrated database of each engine, a context, the app (driven
 * in-process with inject) and keys of every scope. `describeEachDatabase` defines the same
 * tests once per engine this run can reach.
 */
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import type { LyceumApp } from '../../src/api/types.js';
import { type Config, loadConfig } from '../../src/config.js';
import { type AppContext, createContext } from '../../src/context.js';
import type { DialectName } from '../../src/db/database.js';
import { createApiKey } from '../../src/keys/api-keys.js';
import type { Clock } from '../../src/shared/clock.js';
import { createLogger, type Logger } from '../../src/shared/logger.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './database.js';

export interface Reply {
  status: number;
  // Test assertions read answers freely; the API's own schemas validate them.
  body: any;
  headers: Record<string, string | string[] | number | undefined>;
}

export interface CallOptions {
  body?: unknown;
  /** The key to send; the admin key by default, null for none. */
  key?: string | null;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

export interface Harness {
  dialect: DialectName;
  testDatabase: TestDatabase;
  context: AppContext;
  app: LyceumApp;
  keys: { admin: string; write: string; read: string };
  /** Sends a request in-process and parses a JSON answer. */
  call(method: InjectOptions['method'], url: string, options?: CallOptions): Promise<Reply>;
}

export interface HarnessOptions {
  clock?: () => Clock;
  config?: (config: Config) => Config;
  /** Where the app logs; silent by default. */
  logger?: () => Logger;
}

/** Builds a harness on a fresh database of `dialect`; dispose it with `closeHarness`. */
export async function createHarness(
  dialect: DialectName,
  options: HarnessOptions = {},
): Promise<Harness> {
  const testDatabase = await createTestDatabase(dialect);
  const base = loadConfig({ LOG_LEVEL: 'silent' });
  const config = options.config ? options.config(base) : base;
  const context = createContext({
    config,
    database: testDatabase.database,
    logger: options.logger ? options.logger() : createLogger(config.logLevel),
    ...(options.clock ? { clock: options.clock() } : {}),
  });
  const app = await buildApp(context);
  await app.ready();

  const make = async (scope: 'admin' | 'write' | 'read') =>
    (
      await createApiKey(context, {
        name: `test ${scope}`,
        scopes: [scope],
        rateLimitPerMinute: 1_000_000,
      })
    ).key;
  const keys = { admin: await make('admin'), write: await make('write'), read: await make('read') };

  const call: Harness['call'] = async (method, url, callOptions = {}) => {
    const key = callOptions.key === undefined ? keys.admin : callOptions.key;
    const headers: Record<string, string> = { ...callOptions.headers };
    if (key !== null) headers.authorization = `Bearer ${key}`;
    const response = await app.inject({
      method,
      url,
      headers,
      ...(callOptions.query ? { query: callOptions.query } : {}),
      ...(callOptions.body !== undefined ? { payload: callOptions.body as object } : {}),
    });
    const type = String(response.headers['content-type'] ?? '');
    const body = type.includes('json') && response.body !== '' ? response.json() : response.body;
    return { status: response.statusCode, body, headers: response.headers };
  };

  return { dialect, testDatabase, context, app, keys, call };
}

/** Closes what createHarness opened. */
export async function closeHarness(harness: Harness): Promise<void> {
  await harness.app.close();
  await harness.testDatabase.dispose();
}

/**
 * Defines `tests` once per reachable engine. The harness object is filled in before the first
 * test runs, so tests read its fields when they run, not when they are defined.
 */
export function describeEachDatabase(
  title: string,
  tests: (harness: Harness) => void,
  options: HarnessOptions = {},
): void {
  for (const dialect of DIALECTS) {
    describe(`${title} [${dialect}]`, () => {
      const harness = {} as Harness;
      beforeAll(async () => {
        Object.assign(harness, await createHarness(dialect, options));
      });
      afterAll(async () => {
        if (harness.app) await closeHarness(harness);
      });
      tests(harness);
    });
  }
}
