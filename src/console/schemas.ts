/**
 * Schemas of the console's own endpoints under `/v2/console`. They reuse the REST API's
 * shapes wherever the console shows the same records.
 */
import { Type } from 'typebox';
import { IdOf, NullableTimestamp, Timestamp } from '../api/schemas/common.js';
import { Delivery, ListDeliveriesQuery } from '../api/schemas/deliveries.js';
import { EventEnvelope } from '../api/schemas/events.js';
import { WebhookEndpoint } from '../api/schemas/webhooks.js';

const Count = Type.Integer({ minimum: 0 });
const NullableMs = Type.Union([Type.Integer(), Type.Null()]);

const OutcomeCounts = Type.Object({ succeeded: Count, failed: Count, pending: Count });

const AttemptStats = {
  attempts: Count,
  succeeded: Count,
  successRate: Type.Union([Type.Number(), Type.Null()], {
    description: 'Succeeded attempts / attempts; null without attempts',
  }),
  p50Ms: NullableMs,
  p95Ms: NullableMs,
};

export const Overview = Type.Object({
  generatedAt: Timestamp,
  window: Type.Object({ since: Timestamp, until: Timestamp, bucketMs: Type.Integer() }),
  deliveries: OutcomeCounts,
  attempts: Type.Object(AttemptStats),
  hours: Type.Array(Type.Object({ start: Timestamp, deliveries: OutcomeCounts, ...AttemptStats }), {
    description: 'The 24 hours of the window, oldest first',
  }),
  backlog: Type.Object({
    due: Count,
    oldestDueAt: NullableTimestamp,
    inFlight: Count,
    scheduled: Count,
  }),
  endpoints: Type.Object({
    total: Count,
    enabled: Count,
    attention: Type.Array(
      Type.Object({ ...WebhookEndpoint.properties, failingSince: NullableTimestamp }),
    ),
  }),
});

export const EventDeliveries = Type.Object({
  event: EventEnvelope,
  data: Type.Array(
    Type.Object({
      ...Delivery.properties,
      endpointUrl: Type.Union([Type.String(), Type.Null()], {
        description: 'null once the endpoint was deleted',
      }),
    }),
  ),
});

export const DeliveryLogQuery = Type.Object(
  {
    ...ListDeliveriesQuery.properties,
    endpointId: Type.Optional(IdOf('webhook')),
  },
  { additionalProperties: false },
);
