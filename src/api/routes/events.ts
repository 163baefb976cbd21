/**
 * `GET /v2/events`, the event feed in commit order, and `GET /v2/event-types`, the catalog of
 * every type with the JSON Schema of its envelope.
 */
import { EVENT_DESCRIPTIONS, EVENT_TYPES, envelopeSchema } from '../../events/catalog.js';
import { readEventFeed } from '../../events/feed.js';
import type { ApiServices } from '../app.js';
import { PageOf, problemResponses } from '../schemas/common.js';
import { EventEnvelope, EventFeedQuery, EventTypeList } from '../schemas/events.js';
import type { LyceumApp } from '../types.js';

const FEED_DESCRIPTION = [
  'The same envelopes webhooks carry, in commit order: an event never appears before one whose',
  'transaction had committed when its own began, and a page never ends before an event that may',
  'still commit, so a reader that resumes from its cursor never skips one. Events of',
  'transactions that ran at the same time appear in the order they were written.',
  'Pass the same `types`, `since` and `until` with every page.',
  '',
  'Every answer carries a cursor, also when the page is not full or empty: poll with it to tail',
  'the feed and receive the events committed since. `hasMore` says whether more events are',
  'available right now; when it is false, wait before polling again.',
  '',
  'On PostgreSQL a page waits for event transactions still in progress, so that it never ends',
  'before an event that may yet commit; if one stays open for more than 3 seconds the answer is',
  '503 with `Retry-After`.',
].join('\n');

/** Registers the event feed and the event-type catalog on `app`. */
export function eventRoutes(app: LyceumApp, { context }: ApiServices): void {
  app.get(
    '/v2/events',
    {
      schema: {
        summary: 'Read the event feed in commit order, filtered by type and time',
        description: FEED_DESCRIPTION,
        tags: ['events'],
        querystring: EventFeedQuery,
        response: {
          200: PageOf(EventEnvelope),
          ...problemResponses(503),
        },
      },
    },
    async function readEventFeedRoute(request) {
      return readEventFeed(context, request.query);
    },
  );

  app.get(
    '/v2/event-types',
    {
      schema: {
        summary: 'List every event type with its description and envelope schema',
        tags: ['events'],
        response: { 200: EventTypeList, ...problemResponses() },
      },
    },
    async function listEventTypesRoute() {
      return {
        data: EVENT_TYPES.map((type) => ({
          type,
          description: EVENT_DESCRIPTIONS[type],
          schema: envelopeSchema(type),
        })),
      };
    },
  );
}
