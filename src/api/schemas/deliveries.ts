/**
 * Request and response schemas of the delivery log and its replay.
 */
import { Type } from 'typebox';
import { IdOf, NullableTimestamp, PageQuery, Timestamp } from './common.js';

const DeliveryStatus = Type.Union(
  [Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')],
  { description: 'pending: queued or being retried; succeeded: a 2xx came; failed: gave up' },
);

const Headers = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]));

export const Delivery = Type.Object(
  {
    id: IdOf('delivery'),
    endpointId: IdOf('webhook'),
    eventId: IdOf('event'),
    eventType: Type.String(),
    status: DeliveryStatus,
    attemptCount: Type.Integer(),
    nextAttemptAt: NullableTimestamp,
    lastAttemptAt: NullableTimestamp,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Delivery' },
);

export const DeliveryAttempt = Type.Object({
  id: Type.String(),
  attemptedAt: Timestamp,
  durationMs: Type.Integer(),
  statusCode: Type.Union([Type.Integer(), Type.Null()], {
    description: 'The HTTP status of the answer; null when no answer came',
  }),
  errorKind: Type.Union([Type.String(), Type.Null()], {
    description: 'Why the attempt failed without an answer (timeout, connection, refused…)',
  }),
  requestHeaders: Headers,
  responseHeaders: Headers,
  responseBody: Type.String({ description: 'The start of the response body' }),
});

export const DeliveryWithAttempts = Type.Object({
  ...Delivery.properties,
  attempts: Type.Array(DeliveryAttempt, { description: 'Every attempt, oldest first' }),
});

export const ListDeliveriesQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(DeliveryStatus),
    eventType: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const RecoverBody = Type.Object(
  {
    since: Type.String({ format: 'date-time', description: 'Start of the range, inclusive' }),
    until: Type.Optional(
      Type.String({ format: 'date-time', description: 'End of the range, exclusive; now' }),
    ),
  },
  { additionalProperties: false },
);

export const RecoverResult = Type.Object({
  requeued: Type.Integer({ description: 'Failed deliveries queued again' }),
  created: Type.Integer({ description: 'Deliveries created for events the endpoint missed' }),
});
