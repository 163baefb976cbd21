/**
 * The table of deliveries shared by the Deliveries page and an endpoint's page.
 */
import { deliveryBadge } from '../badges.js';
import { h } from '../dom.js';
import { formatCount, timeElement } from '../format.js';
import { href } from '../router.js';
import { type Column, dataTable } from '../table.js';
import type { Delivery } from '../types.js';

/** A table of deliveries; `endpointUrls` adds an endpoint column, naming each by URL. */
export function deliveryTable(
  rows: Delivery[],
  options: { caption: string; captionHidden?: boolean; endpointUrls?: Map<string, string> },
): HTMLElement {
  const urls = options.endpointUrls;
  const columns: Array<Column<Delivery> | null> = [
    {
      header: 'Delivery',
      cell: (delivery) =>
        h('a', { href: href(['deliveries', delivery.id]), class: 'id' }, delivery.id),
    },
    { header: 'Event type', cell: (delivery) => h('code', null, delivery.eventType) },
    urls
      ? {
          header: 'Endpoint',
          cell: (delivery) =>
            h(
              'a',
              { href: href(['endpoints', delivery.endpointId]), class: 'url' },
              urls.get(delivery.endpointId) ?? delivery.endpointId,
            ),
        }
      : null,
    { header: 'Status', cell: (delivery) => deliveryBadge(delivery.status) },
    {
      header: 'Attempts',
      className: 'numeric',
      cell: (delivery) => formatCount(delivery.attemptCount),
    },
    { header: 'Last attempt', cell: (delivery) => timeElement(delivery.lastAttemptAt) },
    { header: 'Next attempt', cell: (delivery) => timeElement(delivery.nextAttemptAt) },
  ];
  return dataTable({
    caption: options.caption,
    captionHidden: options.captionHidden ?? false,
    rows,
    rowHeaders: true,
    empty: 'No delivery matches.',
    columns: columns.filter((column): column is Column<Delivery> => column !== null),
  });
}
