/**
 * Webhook endpoints for the benchmarks, written straight into the table: the endpoints API is
 * not what is measured, and loopback receivers need no address check here.
 */
import type { Database } from '../../src/db/database.js';
import { systemClock } from '../../src/shared/clock.js';
import { IdGenerator } from '../../src/shared/ids.js';
import { generateSecret } from '../../src/webhooks/signing.js';
import type { Target } from './signed-request.js';

/** A stored endpoint: its id and what a sender needs to reach it. */
export interface BenchEndpoint extends Target {
  id: string;
}

const ids = new IdGenerator(systemClock);

/** Stores one enabled endpoint per URL, subscribed to every event type. */
export async function insertEndpoints(
  database: Database,
  urls: string[],
): Promise<BenchEndpoint[]> {
  const now = Date.now();
  const endpoints = urls.map((url) => ({ id: ids.next('webhook'), url, secret: generateSecret() }));
  if (endpoints.length === 0) return [];
  await database.db
    .insertInto('webhook_endpoints')
    .values(
      endpoints.map((endpoint) => ({
        id: endpoint.id,
        url: endpoint.url,
        event_types: '["*"]',
        description: 'bench receiver',
        enabled: 1,
        disabled_reason: null,
        disabled_at: null,
        secret: endpoint.secret,
        previous_secret: null,
        previous_secret_expires_at: null,
        failing_since: null,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  return endpoints;
}
