/**
 * What dispatcher tests build on: a context over a real database with a ManualClock and
 * loopback receivers allowed, endpoints written straight into the table (so these tests do not
 * depend on the endpoints API), events recorded through the real outbox, and readers for the
 * delivery log.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { loadConfig, type WebhookSettings } from '../../src/config.js';
import { type AppContext, createContext } from '../../src/context.js';
import type { DialectName } from '../../src/db/database.js';
import type { WebhookEndpointTable } from '../../src/db/schema.js';
import { transact } from '../../src/db/transaction.js';
import type { EventType } from '../../src/events/catalog.js';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { recordEvent } from '../../src/events/outbox.js';
import { ManualClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { generateSecret } from '../../src/webhooks/signing.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface WebhookRig {
  dialect: DialectName;
  context: AppContext;
  clock: ManualClock;
  testDatabase: TestDatabase;
}

/** A migrated database of `dialect` and a context whose clock only moves when told to. */
export async function createWebhookRig(
  dialect: DialectName,
  settings: Partial<WebhookSettings> = {},
): Promise<WebhookRig> {
  const testDatabase = await createTestDatabase(dialect);
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    LYCEUM_WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
    LYCEUM_WEBHOOK_ALLOW_HTTP: 'true',
  });
  config.webhooks = { ...config.webhooks, ...settings };
  const clock = new ManualClock();
  const context = createContext({
    config,
    database: testDatabase.database,
    logger: createLogger(config.logLevel),
    clock,
  });
  return { dialect, context, clock, testDatabase };
}

/**
 * Registers a suite's hooks around one rig: made before its first test, its webhook tables
 * emptied before each test, disposed after the last. The rig's fields are filled in once the
 * suite's tests run.
 */
export function useWebhookRig(
  dialect: DialectName,
  settings: Partial<WebhookSettings> = {},
): WebhookRig {
  const rig = {} as WebhookRig;
  beforeAll(async () => {
    Object.assign(rig, await createWebhookRig(dialect, settings));
  });
  afterAll(async () => {
    await rig.testDatabase.dispose();
  });
  beforeEach(async () => {
    await clearWebhooks(rig.context);
  });
  return rig;
}

/** Empties every webhook table, so each test sees only its own endpoints and deliveries. */
export async function clearWebhooks(context: AppContext): Promise<void> {
  const { db } = context.database;
  await db.deleteFrom('delivery_attempts').execute();
  await db.deleteFrom('deliveries').execute();
  await db.deleteFrom('webhook_endpoints').execute();
}

/** Writes an enabled endpoint for `url`. */
export async function insertEndpoint(
  context: AppContext,
  url: string,
  eventTypes: string[] = ['*'],
): Promise<WebhookEndpointTable> {
  const now = context.clock.now();
  const row: WebhookEndpointTable = {
    id: context.ids.next('webhook'),
    url,
    event_types: JSON.stringify(eventTypes),
    description: '',
    enabled: 1,
    disabled_reason: null,
    disabled_at: null,
    secret: generateSecret(),
    previous_secret: null,
    previous_secret_expires_at: null,
    failing_since: null,
    created_at: now,
    updated_at: now,
  };
  await context.database.db.insertInto('webhook_endpoints').values(row).execute();
  return row;
}

/** Records a `user.created` event (or `type`) through the outbox, queuing its deliveries. */
export async function emitEvent(
  context: AppContext,
  type: EventType = 'user.created',
  data: Record<string, unknown> = { userId: 'usr_test' },
): Promise<EventEnvelope> {
  return transact(context.database, (write) =>
    // The outbox types each event's data; tests pass free-form data on purpose.
    recordEvent(context, write, type, data as never),
  );
}

/** The deliveries of one endpoint, oldest first. */
export function deliveriesOf(context: AppContext, endpointId: string) {
  return context.database.db
    .selectFrom('deliveries')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .orderBy('id')
    .execute();
}

/** The one delivery of an endpoint. */
export async function onlyDeliveryOf(context: AppContext, endpointId: string) {
  const rows = await deliveriesOf(context, endpointId);
  if (rows.length !== 1) throw new Error(`expected one delivery, found ${rows.length}`);
  return rows[0]!;
}

/** The attempts of one delivery, in order. */
export function attemptsOf(context: AppContext, deliveryId: string) {
  return context.database.db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .orderBy('attempted_at')
    .orderBy('id')
    .execute();
}

/** The endpoint row as stored now. */
export function endpointRow(context: AppContext, endpointId: string) {
  return context.database.db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', endpointId)
    .executeTakeFirstOrThrow();
}
