/**
 * Events: the event feed in commit order (the same envelopes webhooks carry), filtered by
 * type and time.
 */
import { h } from '../dom.js';
import { eventTypes } from '../event-types.js';
import { fromLocalInput, timeElement, toLocalInput } from '../format.js';
import { field, select } from '../forms.js';
import { type PageContext, pageHeader } from '../page.js';
import { pagedList } from '../paged-list.js';
import { href, navigate } from '../router.js';
import { dataTable } from '../table.js';
import type { EventEnvelope, Page } from '../types.js';

/** How much of an event's data a row shows. */
const DATA_PREVIEW = 120;

interface Filters {
  type: string;
  since: string;
  until: string;
}

function localValue(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '' : toLocalInput(ms);
}

function filterForm(filters: Filters, types: string[]): HTMLFormElement {
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter events' },
    field(
      'Event type',
      select(
        'type',
        [
          { value: '', label: 'Any event type' },
          ...types.map((type) => ({ value: type, label: type })),
        ],
        filters.type,
      ),
    ),
    field(
      'From (your time)',
      h('input', { type: 'datetime-local', name: 'since', value: localValue(filters.since) }),
    ),
    field(
      'Until (your time)',
      h('input', { type: 'datetime-local', name: 'until', value: localValue(filters.until) }),
    ),
    h(
      'div',
      { class: 'filter-actions' },
      h('button', { type: 'submit', class: 'button primary' }, 'Filter'),
      h('a', { class: 'button subtle', href: href(['events']) }, 'Clear'),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    navigate(
      href(['events'], {
        type: String(data.get('type') ?? ''),
        since: fromLocalInput(String(data.get('since') ?? '')),
        until: fromLocalInput(String(data.get('until') ?? '')),
      }),
    );
  });
  return form;
}

function preview(data: Record<string, unknown>): string {
  const text = JSON.stringify(data);
  return text.length > DATA_PREVIEW ? `${text.slice(0, DATA_PREVIEW - 1)}…` : text;
}

function eventTable(rows: EventEnvelope[]): HTMLElement {
  return dataTable({
    caption: 'Events, in the order they were committed',
    rows,
    rowHeaders: true,
    empty: 'No event matches.',
    columns: [
      {
        header: 'Event',
        cell: (event) => h('a', { href: href(['events', event.id]), class: 'id' }, event.id),
      },
      { header: 'Type', cell: (event) => h('code', null, event.type) },
      { header: 'Time', cell: (event) => timeElement(event.timestamp) },
      {
        header: 'Data',
        cell: (event) => h('code', { class: 'data-preview' }, preview(event.data)),
      },
    ],
  });
}

/** Renders the event feed with the route's filters. */
export async function eventsPage(context: PageContext): Promise<void> {
  const { query } = context.route;
  const filters: Filters = {
    type: query.get('type') ?? '',
    since: query.get('since') ?? '',
    until: query.get('until') ?? '',
  };
  const types = await eventTypes(context.api);
  if (!context.isCurrent()) return;

  const list = pagedList<EventEnvelope>({
    noun: 'events',
    load: (cursor) =>
      context.api.get<Page<EventEnvelope>>('/v2/events', {
        types: filters.type,
        since: filters.since,
        until: filters.until,
        cursor,
      }),
    render: eventTable,
  });
  context.render(
    'Events',
    pageHeader('Events', {
      lead: 'Every change Lyceum announced, oldest first: the same envelopes its webhooks carry. Open one to see which endpoints got it.',
    }),
    filterForm(
      filters,
      types.map((type) => type.type),
    ),
    list.element,
  );
}
