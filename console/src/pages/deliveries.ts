/**
 * Deliveries: the delivery log, newest first, filtered by endpoint, status and event type.
 * The filters live in the URL, so a filtered view can be bookmarked or shared.
 */
import { h } from '../dom.js';
import { eventTypes } from '../event-types.js';
import { field, select } from '../forms.js';
import { type PageContext, pageHeader } from '../page.js';
import { pagedList } from '../paged-list.js';
import { href, navigate } from '../router.js';
import type { Delivery, Page, WebhookEndpoint } from '../types.js';
import { deliveryTable } from './delivery-table.js';

/** Endpoints offered in the filter; more than this many are left to the endpoint pages. */
const ENDPOINT_CHOICES = 100;

interface Filters {
  endpoint: string;
  status: string;
  eventType: string;
}

function filterForm(
  filters: Filters,
  endpoints: WebhookEndpoint[],
  types: string[],
): HTMLFormElement {
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter deliveries' },
    field(
      'Endpoint',
      select(
        'endpoint',
        [
          { value: '', label: 'All endpoints' },
          ...endpoints.map((endpoint) => ({ value: endpoint.id, label: endpoint.url })),
          // An endpoint beyond the first page of choices (or deleted) still shows as chosen.
          ...(filters.endpoint && !endpoints.some((endpoint) => endpoint.id === filters.endpoint)
            ? [{ value: filters.endpoint, label: filters.endpoint }]
            : []),
        ],
        filters.endpoint,
      ),
    ),
    field(
      'Status',
      select(
        'status',
        [
          { value: '', label: 'Any status' },
          { value: 'failed', label: 'Failed' },
          { value: 'pending', label: 'Pending' },
          { value: 'succeeded', label: 'Succeeded' },
        ],
        filters.status,
      ),
    ),
    field(
      'Event type',
      select(
        'eventType',
        [
          { value: '', label: 'Any event type' },
          ...types.map((type) => ({ value: type, label: type })),
        ],
        filters.eventType,
      ),
    ),
    h(
      'div',
      { class: 'filter-actions' },
      h('button', { type: 'submit', class: 'button primary' }, 'Filter'),
      h('a', { class: 'button subtle', href: href(['deliveries']) }, 'Clear'),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    navigate(
      href(['deliveries'], {
        endpoint: String(data.get('endpoint') ?? ''),
        status: String(data.get('status') ?? ''),
        eventType: String(data.get('eventType') ?? ''),
      }),
    );
  });
  return form;
}

/** Renders the delivery log with the route's filters. */
export async function deliveriesPage(context: PageContext): Promise<void> {
  const { query } = context.route;
  const filters: Filters = {
    endpoint: query.get('endpoint') ?? '',
    status: query.get('status') ?? '',
    eventType: query.get('eventType') ?? '',
  };
  const [endpoints, types] = await Promise.all([
    context.api.get<Page<WebhookEndpoint>>('/v2/webhooks', { limit: ENDPOINT_CHOICES }),
    eventTypes(context.api),
  ]);
  if (!context.isCurrent()) return;
  const urls = new Map(endpoints.data.map((endpoint) => [endpoint.id, endpoint.url]));

  const filterQuery = { status: filters.status, eventType: filters.eventType };
  const list = pagedList<Delivery>({
    noun: 'deliveries',
    load: (cursor) =>
      filters.endpoint
        ? context.api.get<Page<Delivery>>(
            `/v2/webhooks/${encodeURIComponent(filters.endpoint)}/deliveries`,
            { ...filterQuery, cursor },
          )
        : context.api.get<Page<Delivery>>('/v2/console/deliveries', { ...filterQuery, cursor }),
    render: (rows) =>
      deliveryTable(rows, { caption: 'Deliveries, newest first', endpointUrls: urls }),
  });

  context.render(
    'Deliveries',
    pageHeader('Deliveries', {
      lead: 'Every webhook Lyceum sent or is sending. Open one to see each attempt, the request and the answer.',
    }),
    filterForm(
      filters,
      endpoints.data,
      types.map((type) => type.type),
    ),
    list.element,
  );
}
