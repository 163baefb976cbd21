/**
 * Endpoints: every webhook endpoint, newest first, and the button that creates one.
 */
import { failureMessage } from '../api.js';
import { endpointBadge } from '../badges.js';
import { h } from '../dom.js';
import { timeElement } from '../format.js';
import { button, type PageContext, pageHeader } from '../page.js';
import { pagedList } from '../paged-list.js';
import { href } from '../router.js';
import { dataTable } from '../table.js';
import type { Page, WebhookEndpoint } from '../types.js';
import { openCreateEndpoint } from './endpoint-forms.js';

/** How an endpoint's event types read in a list. */
export function eventTypeSummary(types: string[]): string {
  return types.includes('*') ? 'Every event type' : types.join(', ');
}

function endpointTable(rows: WebhookEndpoint[]): HTMLElement {
  return dataTable({
    caption: 'Webhook endpoints, newest first',
    rows,
    rowHeaders: true,
    empty: 'No endpoint yet. Create one to start receiving webhooks.',
    columns: [
      {
        header: 'URL',
        cell: (endpoint) =>
          h('a', { href: href(['endpoints', endpoint.id]), class: 'url' }, endpoint.url),
      },
      {
        header: 'Description',
        cell: (endpoint) => endpoint.description || h('span', { class: 'muted' }, '—'),
      },
      { header: 'Event types', cell: (endpoint) => eventTypeSummary(endpoint.eventTypes) },
      { header: 'State', cell: (endpoint) => endpointBadge(endpoint) },
      { header: 'Created', cell: (endpoint) => timeElement(endpoint.createdAt) },
    ],
  });
}

/** Renders the list of endpoints. */
export async function endpointsPage(context: PageContext): Promise<void> {
  const list = pagedList<WebhookEndpoint>({
    noun: 'endpoints',
    load: (cursor) => context.api.get<Page<WebhookEndpoint>>('/v2/webhooks', { cursor }),
    render: endpointTable,
  });
  const create = button(
    'Create endpoint',
    () =>
      void openCreateEndpoint(context.api, (endpoint) => {
        context.navigateWithNotice(href(['endpoints', endpoint.id]), 'Endpoint created.');
      }).catch((error: unknown) => context.shell.announce(failureMessage(error), 'error')),
    'primary',
  );
  context.render(
    'Endpoints',
    pageHeader('Endpoints', {
      lead: 'Where Lyceum sends webhooks, and which event types each receiver wants.',
      actions: create,
    }),
    list.element,
  );
}
