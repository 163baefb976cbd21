/**
 * What the API shows of webhook endpoints, deliveries and attempts. The endpoint view never
 * holds a secret: the secret leaves Lyceum only in the answers to creation and rotation.
 */
import type { DeliveryAttemptTable, DeliveryTable, WebhookEndpointTable } from '../db/schema.js';
import { toIso } from '../shared/clock.js';

export interface EndpointView {
  id: string;
  url: string;
  eventTypes: string[];
  description: string;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface DeliveryView {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type HeaderMap = Record<string, string | string[]>;

export interface AttemptView {
  id: string;
  attemptedAt: string;
  durationMs: number;
  statusCode: number | null;
  errorKind: string | null;
  requestHeaders: HeaderMap;
  responseHeaders: HeaderMap;
  responseBody: string;
}

/** The public view of an endpoint, without its secrets. */
export function viewEndpoint(row: WebhookEndpointTable): EndpointView {
  return {
    id: row.id,
    url: row.url,
    eventTypes: JSON.parse(row.event_types) as string[],
    description: row.description,
    enabled: row.enabled === 1,
    disabledReason: row.disabled_reason,
    disabledAt: toIso(row.disabled_at),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

/** The public view of a delivery; its lease is the dispatcher's business and stays hidden. */
export function viewDelivery(row: DeliveryTable): DeliveryView {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status as DeliveryStatus,
    attemptCount: row.attempt_count,
    nextAttemptAt: toIso(row.next_attempt_at),
    lastAttemptAt: toIso(row.last_attempt_at),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

/** The public view of one attempt. */
export function viewAttempt(row: DeliveryAttemptTable): AttemptView {
  return {
    id: row.id,
    attemptedAt: toIso(row.attempted_at),
    durationMs: row.duration_ms,
    statusCode: row.status_code,
    errorKind: row.error_kind,
    requestHeaders: JSON.parse(row.request_headers) as HeaderMap,
    responseHeaders: JSON.parse(row.response_headers) as HeaderMap,
    responseBody: row.response_body,
  };
}
