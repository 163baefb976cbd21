/**
 * Schemas of the event feed and the event-type catalog.
 */
import { Type } from 'typebox';
import { PageQuery, Timestamp } from './common.js';

/** The envelope every event travels in, on the feed and in every webhook body. */
export const EventEnvelope = Type.Object(
  {
    id: Type.String({ description: 'The event id, `evt_…`; also the `webhook-id` header' }),
    type: Type.String(),
    timestamp: Timestamp,
    data: Type.Object(
      {},
      {
        additionalProperties: true,
        description: 'Lean by design: ids to hydrate; its schema per type is in /v2/event-types',
      },
    ),
  },
  { $id: 'EventEnvelope' },
);

/** The query of `GET /v2/events`. */
export const EventFeedQuery = Type.Object(
  {
    ...PageQuery,
    types: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1000,
        description: 'Event types separated by commas, e.g. `course.completed,user.created`',
      }),
    ),
    since: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Events at or after this instant (ISO 8601)',
      }),
    ),
    until: Type.Optional(
      Type.String({ format: 'date-time', description: 'Events before this instant (ISO 8601)' }),
    ),
  },
  { additionalProperties: false },
);

/** The answer of `GET /v2/event-types`. */
export const EventTypeList = Type.Object({
  data: Type.Array(
    Type.Object({
      type: Type.String(),
      description: Type.String(),
      schema: Type.Unknown({ description: 'The JSON Schema of the whole envelope of this type' }),
    }),
  ),
});
