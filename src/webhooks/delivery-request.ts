/**
 * The HTTP request of one delivery attempt: the event's envelope as the body and Standard
 * Webhooks headers signed for this attempt's instant.
 */
import type { EventTable, WebhookEndpointTable } from '../db/schema.js';
import { envelopeFromRow } from '../events/envelope.js';
import { webhookHeaders } from './signing.js';

/** What the sender needs to make one attempt. */
export interface DeliveryRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

type EventRow = Pick<EventTable, 'id' | 'type' | 'data' | 'created_at'>;
type EndpointRow = Pick<
  WebhookEndpointTable,
  'url' | 'secret' | 'previous_secret' | 'previous_secret_expires_at'
>;

/**
 * The secrets that sign at `now`: the current one, plus the previous one while its rotation
 * grace lasts, so a receiver that has not switched yet keeps verifying.
 */
export function signingSecrets(endpoint: EndpointRow, now: number): string[] {
  const { previous_secret: previous, previous_secret_expires_at: expiresAt } = endpoint;
  if (previous !== null && expiresAt !== null && expiresAt > now) {
    return [endpoint.secret, previous];
  }
  return [endpoint.secret];
}

/**
 * Builds the request for an attempt at `now`. The webhook id is the event id, so a receiver
 * can drop retries it already processed; the timestamp is this attempt's, as the
 * specification asks, so a replayed old request fails its freshness check.
 */
export function buildDeliveryRequest(
  event: EventRow,
  endpoint: EndpointRow,
  now: number,
): DeliveryRequest {
  const body = JSON.stringify(envelopeFromRow(event));
  const headers = webhookHeaders({
    messageId: event.id,
    timestampSeconds: Math.floor(now / 1000),
    body,
    secrets: signingSecrets(endpoint, now),
  });
  return { url: endpoint.url, body, headers };
}
