/**
 * One event: its envelope and, for each endpoint that wanted it, how its delivery went.
 */
import { deliveryBadge } from '../badges.js';
import { h } from '../dom.js';
import { formatCount, prettyJson, timeElement } from '../format.js';
import { codeBlock, facts, type PageContext, pageHeader, section } from '../page.js';
import { href } from '../router.js';
import { dataTable } from '../table.js';
import type { EventDeliveries } from '../types.js';

/** Renders event `id`. */
export async function eventDetailPage(context: PageContext, id: string): Promise<void> {
  const { event, data } = await context.api.get<EventDeliveries>(
    `/v2/console/events/${encodeURIComponent(id)}/deliveries`,
  );
  if (!context.isCurrent()) return;

  context.render(
    `Event ${event.id}`,
    pageHeader(['Event ', h('span', { class: 'id' }, event.id)], {
      lead: [h('code', null, event.type), ' at ', timeElement(event.timestamp)],
    }),
    section(
      'Who got it',
      dataTable({
        caption: 'Deliveries of this event, one per endpoint',
        rows: data,
        rowHeaders: true,
        empty:
          'No endpoint wanted this event when it happened. To send it now, recover its time window on an endpoint.',
        columns: [
          {
            header: 'Endpoint',
            cell: (delivery) =>
              delivery.endpointUrl === null
                ? `${delivery.endpointId} (deleted)`
                : h(
                    'a',
                    { href: href(['endpoints', delivery.endpointId]), class: 'url' },
                    delivery.endpointUrl,
                  ),
          },
          { header: 'Status', cell: (delivery) => deliveryBadge(delivery.status) },
          {
            header: 'Attempts',
            className: 'numeric',
            cell: (delivery) => formatCount(delivery.attemptCount),
          },
          { header: 'Last attempt', cell: (delivery) => timeElement(delivery.lastAttemptAt) },
          {
            header: 'Delivery',
            cell: (delivery) =>
              h('a', { href: href(['deliveries', delivery.id]), class: 'id' }, delivery.id),
          },
        ],
      }),
    ),
    section(
      'Envelope',
      facts([
        ['ID', h('code', null, event.id)],
        ['Type', h('code', null, event.type)],
        ['Time', timeElement(event.timestamp)],
      ]),
      codeBlock('Event envelope', prettyJson(event)),
    ),
  );
}
