/**
 * The catalog of event types, read once per sign-in from `GET /v2/event-types` for the
 * pickers and filters.
 */
import type { ApiClient } from './api.js';
import type { EventType } from './types.js';

let cached: Promise<EventType[]> | undefined;

/** Every event type with its description. */
export function eventTypes(api: ApiClient): Promise<EventType[]> {
  cached ??= api
    .get<{ data: EventType[] }>('/v2/event-types')
    .then((answer) => answer.data.map(({ type, description }) => ({ type, description })))
    .catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
  return cached;
}
