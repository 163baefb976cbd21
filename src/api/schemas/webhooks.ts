/**
 * Request and response schemas of webhook endpoints (`/v2/webhooks`).
 */
import { Type } from 'typebox';
import { IdOf, NullableTimestamp, PageQuery, Text, Timestamp } from './common.js';

const Url = Type.String({
  minLength: 1,
  maxLength: 2048,
  description: 'Where events are POSTed; https unless the operator allowed plain http',
});

const EventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  minItems: 1,
  maxItems: 50,
  description: 'Event types from GET /v2/event-types, or exactly ["*"] for every type',
});

const Description = Text(500);

export const WebhookEndpoint = Type.Object(
  {
    id: IdOf('webhook'),
    url: Type.String(),
    eventTypes: Type.Array(Type.String()),
    description: Type.String(),
    enabled: Type.Boolean(),
    disabledReason: Type.Union([Type.String(), Type.Null()], {
      description: 'Why the endpoint is disabled: by an operator, by its receiver, or failures',
    }),
    disabledAt: NullableTimestamp,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'WebhookEndpoint' },
);

const Secret = Type.String({
  description: 'The signing secret, `whsec_…`; shown in this answer only',
});

export const CreatedWebhookEndpoint = Type.Object({
  ...WebhookEndpoint.properties,
  secret: Secret,
});

export const RotatedSecret = Type.Object({ secret: Secret });

export const TestEventAccepted = Type.Object({
  eventId: IdOf('event'),
  deliveryId: IdOf('delivery'),
});

export const CreateWebhookBody = Type.Object(
  {
    url: Url,
    eventTypes: EventTypes,
    description: Type.Optional(Description),
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);

export const UpdateWebhookBody = Type.Object(
  {
    url: Type.Optional(Url),
    eventTypes: Type.Optional(EventTypes),
    description: Type.Optional(Description),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ListWebhooksQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
