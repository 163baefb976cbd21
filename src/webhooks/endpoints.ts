/**
 * Webhook endpoints: where events are sent, which types each wants, and the secret that signs
 * them. Every URL passes the address guard when it is set, so a webhook cannot be pointed at a
 * private network the operator did not open; the dispatcher checks again at send time.
 *
 * Deleting an endpoint removes it for good, but its deliveries and their attempts stay so the
 * delivery log still explains what happened.
 */
import {
  DEFAULT_LIMIT,
  decodeCursor,
  encodeCursor,
  isCursorId,
  type Page,
} from '../api/pagination.js';
import { type ApiProblem, badRequest, conflict, notFound, unprocessable } from '../api/problem.js';
import type { AppContext, WriteServices } from '../context.js';
import type { WebhookEndpointTable } from '../db/schema.js';
import { transact, type WriteContext } from '../db/transaction.js';
import { isEventType } from '../events/catalog.js';
import { recordEvent } from '../events/outbox.js';
import { AddressRefusedError } from './address-guard.js';
import { generateSecret } from './signing.js';
import { type EndpointView, viewEndpoint } from './views.js';

/** The reason shown on an endpoint an operator switched off. */
export const OPERATOR_DISABLED_REASON = 'disabled by an operator';

/** What the endpoint service needs of the address guard. */
export interface UrlChecker {
  /** Resolves when `url` may be called; rejects with AddressRefusedError saying why not. */
  checkUrl(url: string): Promise<void>;
}

export interface NewEndpoint {
  url: string;
  eventTypes: string[];
  description?: string;
  enabled?: boolean;
}

export type EndpointPatch = Partial<NewEndpoint>;

export interface EndpointListQuery {
  limit?: number;
  cursor?: string;
}

type Context = WriteServices;
type ClockedDatabase = Pick<AppContext, 'database' | 'clock'>;

/**
 * Checks a list of event types: known types from the catalog, or exactly `["*"]`. Duplicates
 * are dropped; an unknown type is a 400 that names it.
 */
export function normalizeEventTypes(eventTypes: readonly string[]): string[] {
  const unique = [...new Set(eventTypes)];
  if (unique.includes('*')) {
    if (unique.length > 1) {
      throw badRequest('eventTypes is either ["*"] for every type or a list of types, not both.');
    }
    return unique;
  }
  const unknown = unique.find((type) => !isEventType(type));
  if (unknown !== undefined) {
    throw badRequest(
      `eventTypes contains "${unknown}", which is not an event type; GET /v2/event-types lists them.`,
    );
  }
  return unique;
}

/** Runs the address guard on `url`, turning a refusal into a 422 that says what to change. */
async function checkEndpointUrl(guard: UrlChecker, url: string): Promise<void> {
  try {
    new URL(url);
  } catch {
    throw badRequest(`url "${url}" is not an absolute URL such as https://example.com/hook.`);
  }
  try {
    await guard.checkUrl(url);
  } catch (error) {
    if (error instanceof AddressRefusedError) {
      throw unprocessable('webhook-url-refused', error.message);
    }
    throw error;
  }
}

/** Reads an endpoint inside a transaction, or answers 404. */
export async function requireEndpoint(
  write: WriteContext,
  id: string,
): Promise<WebhookEndpointTable> {
  const row = await write.trx
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('Webhook endpoint', id);
  return row;
}

/** Creates an endpoint; the answer carries its secret, which is never shown again. */
export async function createEndpoint(
  context: Pick<AppContext, 'database' | 'clock' | 'ids'>,
  guard: UrlChecker,
  input: NewEndpoint,
): Promise<EndpointView & { secret: string }> {
  const eventTypes = normalizeEventTypes(input.eventTypes);
  await checkEndpointUrl(guard, input.url);

  const now = context.clock.now();
  const enabled = input.enabled ?? true;
  const row: WebhookEndpointTable = {
    id: context.ids.next('webhook'),
    url: input.url,
    event_types: JSON.stringify(eventTypes),
    description: input.description ?? '',
    enabled: enabled ? 1 : 0,
    disabled_reason: enabled ? null : OPERATOR_DISABLED_REASON,
    disabled_at: enabled ? null : now,
    secret: generateSecret(),
    previous_secret: null,
    previous_secret_expires_at: null,
    failing_since: null,
    created_at: now,
    updated_at: now,
  };
  await transact(context.database, async (write) => {
    await write.trx.insertInto('webhook_endpoints').values(row).execute();
  });
  return { ...viewEndpoint(row), secret: row.secret };
}

/** Reads one endpoint. */
export async function getEndpoint(
  context: Pick<AppContext, 'database'>,
  id: string,
): Promise<EndpointView> {
  const row = await context.database.db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('Webhook endpoint', id);
  return viewEndpoint(row);
}

interface IdCursor {
  i: string;
}

function isIdCursor(value: unknown): value is IdCursor {
  if (typeof value !== 'object' || value === null) return false;
  return isCursorId((value as Record<string, unknown>).i);
}

/** Lists endpoints, newest first, in cursor pages. */
export async function listEndpoints(
  context: Pick<AppContext, 'database'>,
  query: EndpointListQuery,
): Promise<Page<EndpointView>> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  let select = context.database.db.selectFrom('webhook_endpoints').selectAll();
  if (query.cursor !== undefined) {
    select = select.where('id', '<', decodeCursor(query.cursor, isIdCursor).i);
  }
  const rows = await select
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return pageById(rows, limit, viewEndpoint);
}

/** Turns `limit + 1` rows in descending id order into a page whose cursor is the last id. */
export function pageById<Row extends { id: string }, View>(
  rows: Row[],
  limit: number,
  view: (row: Row) => View,
): Page<View> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  const cursor = hasMore && last ? encodeCursor({ i: last.id }) : null;
  return { data: pageRows.map(view), pageInfo: { cursor, hasMore } };
}

/** Decodes a cursor made by pageById. */
export function decodeIdCursor(text: string): string {
  return decodeCursor(text, isIdCursor).i;
}

/**
 * Changes an endpoint. Switching it off records who did it; switching it back on clears the
 * reason and restarts the failure clock, so an endpoint revived after an outage gets the full
 * grace period again.
 */
export async function updateEndpoint(
  context: ClockedDatabase,
  guard: UrlChecker,
  id: string,
  patch: EndpointPatch,
): Promise<EndpointView> {
  const eventTypes =
    patch.eventTypes === undefined ? undefined : normalizeEventTypes(patch.eventTypes);
  if (patch.url !== undefined) await checkEndpointUrl(guard, patch.url);

  return transact(context.database, async (write) => {
    const current = await requireEndpoint(write, id);
    const now = context.clock.now();
    const row: WebhookEndpointTable = {
      ...current,
      url: patch.url ?? current.url,
      event_types: eventTypes === undefined ? current.event_types : JSON.stringify(eventTypes),
      description: patch.description ?? current.description,
      ...enabledChange(current, patch.enabled, now),
      updated_at: now,
    };
    await write.trx.updateTable('webhook_endpoints').set(row).where('id', '=', id).execute();
    return viewEndpoint(row);
  });
}

/** The columns that change when `enabled` is set; nothing when it stays as it was. */
function enabledChange(
  current: WebhookEndpointTable,
  enabled: boolean | undefined,
  now: number,
): Partial<WebhookEndpointTable> {
  if (enabled === undefined || enabled === (current.enabled === 1)) return {};
  if (enabled) {
    return { enabled: 1, disabled_reason: null, disabled_at: null, failing_since: null };
  }
  return { enabled: 0, disabled_reason: OPERATOR_DISABLED_REASON, disabled_at: now };
}

/**
 * Deletes an endpoint. Its pending deliveries are marked failed in the same transaction so no
 * dispatcher claims them afterwards; the deliveries and attempts stay readable.
 */
export async function deleteEndpoint(context: ClockedDatabase, id: string): Promise<void> {
  await transact(context.database, async (write) => {
    await requireEndpoint(write, id);
    const now = context.clock.now();
    await write.trx
      .updateTable('deliveries')
      .set({
        status: 'failed',
        next_attempt_at: null,
        lease_owner: null,
        lease_expires_at: null,
        updated_at: now,
      })
      .where('endpoint_id', '=', id)
      .where('status', '=', 'pending')
      .execute();
    await write.trx.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
  });
}

/**
 * Replaces an endpoint's secret. The old one keeps signing alongside the new one for
 * `secretGraceMs`, so a receiver can switch without losing a single event; a second rotation
 * within the grace drops the oldest secret.
 */
export async function rotateEndpointSecret(
  context: ClockedDatabase & Pick<AppContext, 'config'>,
  id: string,
): Promise<{ secret: string }> {
  const secret = generateSecret();
  await transact(context.database, async (write) => {
    const current = await requireEndpoint(write, id);
    const now = context.clock.now();
    await write.trx
      .updateTable('webhook_endpoints')
      .set({
        secret,
        previous_secret: current.secret,
        previous_secret_expires_at: now + context.config.webhooks.secretGraceMs,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  });
  return { secret };
}

/** Sends a `webhook.test` event to one enabled endpoint, whatever types it subscribed to. */
export async function sendTestEvent(
  context: Context,
  id: string,
): Promise<{ eventId: string; deliveryId: string }> {
  return transact(context.database, async (write) => {
    const endpoint = await requireEndpoint(write, id);
    if (endpoint.enabled !== 1) throw enableFirst(id);

    const event = await recordEvent(
      context,
      write,
      'webhook.test',
      { endpointId: id },
      {
        onlyEndpointId: id,
      },
    );
    const delivery = await write.trx
      .selectFrom('deliveries')
      .select('id')
      .where('event_id', '=', event.id)
      .where('endpoint_id', '=', id)
      .executeTakeFirst();
    // Fan-out skips a disabled endpoint, so a concurrent disable leaves nothing to send.
    if (!delivery) throw enableFirst(id);
    return { eventId: event.id, deliveryId: delivery.id };
  });
}

/** The 409 of an action that needs an enabled endpoint. */
export function enableFirst(id: string): ApiProblem {
  return conflict(
    `Webhook endpoint ${id} is disabled; enable the endpoint first with PATCH /v2/webhooks/${id} {"enabled": true}.`,
  );
}
