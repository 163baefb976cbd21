/**
 * Which event types an endpoint wants: a list of exact types, or `*` for all of them.
 */

/** Whether an endpoint subscribed to `eventTypes` should receive an event of `type`. */
export function endpointWants(eventTypes: readonly string[], type: string): boolean {
  return eventTypes.includes('*') || eventTypes.includes(type);
}
