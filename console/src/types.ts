/**
 * The shapes of the API answers the console reads. They mirror the REST API's schemas
 * (src/api/schemas/) and the console's own (src/console/schemas.ts).
 */

/** A cursor page of any list. */
export interface Page<T> {
  data: T[];
  pageInfo: { cursor: string | null; hasMore: boolean };
}

/** An RFC 9457 problem, as every API error is. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: Array<{ location: string; pointer: string; message: string }>;
  retryAfter?: number;
}

export interface WebhookEndpoint {
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

export interface Delivery {
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

export interface DeliveryAttempt {
  id: string;
  attemptedAt: string;
  durationMs: number;
  statusCode: number | null;
  errorKind: string | null;
  requestHeaders: HeaderMap;
  responseHeaders: HeaderMap;
  responseBody: string;
}

export interface DeliveryWithAttempts extends Delivery {
  attempts: DeliveryAttempt[];
}

export interface EventEnvelope {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export interface EventType {
  type: string;
  description: string;
}

export interface EventDeliveries {
  event: EventEnvelope;
  data: Array<Delivery & { endpointUrl: string | null }>;
}

export type Scope = 'read' | 'write' | 'admin';

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  rateLimitPerMinute: number | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface OutcomeCounts {
  succeeded: number;
  failed: number;
  pending: number;
}

export interface AttemptStats {
  attempts: number;
  succeeded: number;
  successRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface Overview {
  generatedAt: string;
  window: { since: string; until: string; bucketMs: number };
  deliveries: OutcomeCounts;
  attempts: AttemptStats;
  hours: Array<AttemptStats & { start: string; deliveries: OutcomeCounts }>;
  backlog: { due: number; oldestDueAt: string | null; inFlight: number; scheduled: number };
  endpoints: {
    total: number;
    enabled: number;
    attention: Array<WebhookEndpoint & { failingSince: string | null }>;
  };
}
