/**
 * The per-endpoint concurrency limit across dispatchers: three dispatchers, each with its own
 * connection pool on the same PostgreSQL schema, claim from one slow endpoint's backlog as fast
 * as they can, and the receiver never sees more requests open at once than the limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type AppContext, createContext } from '../../src/context.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { createLogger } from '../../src/shared/logger.js';
import { Dispatcher } from '../../src/webhooks/dispatcher.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { POSTGRES_URL, postgresAvailable } from '../support/services.js';
import { emitEvent, insertEndpoint } from '../support/webhook-fixtures.js';
import {
  answerAfter,
  eventually,
  type Receiver,
  startReceiver,
} from '../support/webhook-receiver.js';
import { deliveryStatuses } from './support/cluster.js';

const LIMIT = 3;
const DELIVERIES = 45;

describe.skipIf(!postgresAvailable)('per-endpoint limit across dispatchers [postgres]', () => {
  let testDatabase: TestDatabase;
  const handles: Database[] = [];
  const contexts: AppContext[] = [];
  let receiver: Receiver;

  beforeAll(async () => {
    testDatabase = await createTestDatabase('postgres', { poolSize: 4 });
    const searchPath = new URL(testDatabase.url).searchParams
      .get('options')!
      .replace('-c search_path=', '');
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      LYCEUM_WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
      LYCEUM_WEBHOOK_ALLOW_HTTP: 'true',
      LYCEUM_DISPATCHER_CONCURRENCY: '16',
      LYCEUM_WEBHOOK_ENDPOINT_CONCURRENCY: String(LIMIT),
    });
    for (let index = 0; index < 3; index++) {
      const database =
        index === 0
          ? testDatabase.database
          : openDatabase({ kind: 'postgres', url: POSTGRES_URL }, { searchPath, poolSize: 4 });
      if (index > 0) handles.push(database);
      contexts.push(createContext({ config, database, logger: createLogger('silent') }));
    }
    receiver = await startReceiver(answerAfter(40));
  });
  afterAll(async () => {
    await receiver?.close();
    await Promise.all(handles.map((database) => database.close()));
    await testDatabase?.dispose();
  });

  it('never has more attempts open to one endpoint than its limit', async () => {
    const [context] = contexts as [AppContext];
    await insertEndpoint(context, receiver.url);
    for (let index = 0; index < DELIVERIES; index++) await emitEvent(context);

    // A short poll keeps all three claiming all the time, as busy processes would.
    const dispatchers = contexts.map((each) => new Dispatcher(each, { pollIntervalMs: 5 }));
    for (const dispatcher of dispatchers) dispatcher.start();
    try {
      await eventually(
        async () => (await deliveryStatuses(context)).succeeded === DELIVERIES,
        30_000,
      );
    } finally {
      await Promise.all(dispatchers.map((dispatcher) => dispatcher.stop()));
    }
    expect(receiver.requests).toHaveLength(DELIVERIES);
    expect(receiver.maxConcurrent).toBe(LIMIT);
  });
});
