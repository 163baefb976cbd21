/**
 * `/v2/console` (admin): the few answers the console needs that the REST API does not give,
 * each an aggregate or a join of records the REST API already exposes. They serve the console
 * and may change with it; integrations should use the REST API.
 */
import type { ApiServices } from '../api/app.js';
import { IdParams, PageOf, problemResponses } from '../api/schemas/common.js';
import { Delivery } from '../api/schemas/deliveries.js';
import type { LyceumApp } from '../api/types.js';
import { listAllDeliveries } from './delivery-log.js';
import { readEventDeliveries } from './event-deliveries.js';
import { readOverview } from './overview.js';
import { DeliveryLogQuery, EventDeliveries, Overview } from './schemas.js';

const CONSOLE_NOTE = 'For the operator console; its shape may change with the console.';

/** Registers the console's JSON endpoints on `app`. */
export function consoleApiRoutes(app: LyceumApp, { context }: Pick<ApiServices, 'context'>): void {
  app.get(
    '/v2/console/overview',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Webhook delivery over the last 24 hours, the backlog and endpoint health',
        description: CONSOLE_NOTE,
        tags: ['console'],
        response: { 200: Overview, ...problemResponses() },
      },
    },
    async function consoleOverviewRoute() {
      return readOverview(context);
    },
  );

  app.get(
    '/v2/console/deliveries',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'List deliveries of every endpoint, newest first',
        description: CONSOLE_NOTE,
        tags: ['console'],
        querystring: DeliveryLogQuery,
        response: { 200: PageOf(Delivery), ...problemResponses() },
      },
    },
    async function consoleDeliveriesRoute(request) {
      return listAllDeliveries(context, request.query);
    },
  );

  app.get(
    '/v2/console/events/:id/deliveries',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Read an event and its delivery to each endpoint',
        description: CONSOLE_NOTE,
        tags: ['console'],
        params: IdParams('event'),
        response: { 200: EventDeliveries, ...problemResponses(404) },
      },
    },
    async function consoleEventDeliveriesRoute(request) {
      return readEventDeliveries(context, request.params.id);
    },
  );
}
