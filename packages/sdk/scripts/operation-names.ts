/**
 * The client's name for every operation of the OpenAPI document, grouped by resource. The
 * document has no operation ids, so the names live here; generating fails on an operation that
 * has no name (a new route: name it here) and on a name whose operation is gone.
 */
/**
 * Paths the client leaves out: the operator console's own read models, shaped for its screens
 * and changed with them, are not part of the integration API.
 */
export const EXCLUDED_PATH_PREFIXES = ['/v2/console/'];

/** The client name of each operation, by `METHOD /path`. */
export const OPERATION_NAMES: Record<string, string> = {
  'GET /v2/ping': 'ping',

  'POST /v2/users': 'users.create',
  'GET /v2/users': 'users.list',
  'GET /v2/users/{id}': 'users.get',
  'PATCH /v2/users/{id}': 'users.update',
  'DELETE /v2/users/{id}': 'users.delete',
  'GET /v2/users/{id}/enrollments': 'users.enrollments',
  'GET /v2/users/{id}/certifications': 'users.certifications',
  'GET /v2/users/{id}/subscriptions': 'users.subscriptions',

  'POST /v2/content/course': 'courses.create',
  'GET /v2/content/course': 'courses.list',
  'GET /v2/content/course/{id}': 'courses.get',
  'PATCH /v2/content/course/{id}': 'courses.update',
  'POST /v2/content/course/{id}/publish': 'courses.publish',
  'POST /v2/content/course/{id}/unpublish': 'courses.unpublish',

  'POST /v2/enrollments': 'enrollments.create',
  'GET /v2/enrollments': 'enrollments.list',
  'GET /v2/enrollments/{id}': 'enrollments.get',
  'PATCH /v2/enrollments/{id}': 'enrollments.update',
  'POST /v2/enrollments/{id}/complete': 'enrollments.complete',

  'GET /v2/certifications/{id}': 'certifications.get',
  'POST /v2/certifications/{id}/revoke': 'certifications.revoke',

  'POST /v2/subscriptions': 'subscriptions.create',
  'GET /v2/subscriptions': 'subscriptions.list',
  'GET /v2/subscriptions/{id}': 'subscriptions.get',
  'PATCH /v2/subscriptions/{id}': 'subscriptions.update',
  'POST /v2/subscriptions/{id}/cancel': 'subscriptions.cancel',

  'GET /v2/events': 'events.list',
  'GET /v2/event-types': 'events.types',

  'POST /v2/api-keys': 'apiKeys.create',
  'GET /v2/api-keys': 'apiKeys.list',
  'DELETE /v2/api-keys/{id}': 'apiKeys.revoke',

  'POST /v2/webhooks': 'webhooks.create',
  'GET /v2/webhooks': 'webhooks.list',
  'GET /v2/webhooks/{id}': 'webhooks.get',
  'PATCH /v2/webhooks/{id}': 'webhooks.update',
  'DELETE /v2/webhooks/{id}': 'webhooks.delete',
  'POST /v2/webhooks/{id}/rotate-secret': 'webhooks.rotateSecret',
  'POST /v2/webhooks/{id}/test': 'webhooks.test',
  'POST /v2/webhooks/{id}/recover': 'webhooks.recover',
  'GET /v2/webhooks/{id}/deliveries': 'webhooks.deliveries',

  'GET /v2/deliveries/{id}': 'deliveries.get',
  'POST /v2/deliveries/{id}/resend': 'deliveries.resend',
};
