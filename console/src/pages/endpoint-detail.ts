/**
 * One endpoint and everything an operator does with it: send a test event, change it, switch
 * it off and on, rotate its secret, recover a time window, delete it; and its latest
 * deliveries.
 */
import { failureMessage } from '../api.js';
import { endpointBadge } from '../badges.js';
import { confirmDialog, formDialog, secretDialog } from '../dialog.js';
import { h } from '../dom.js';
import { fromLocalInput, timeElement, toLocalInput } from '../format.js';
import { field, textValue } from '../forms.js';
import { button, facts, type PageContext, pageHeader, section } from '../page.js';
import { pagedList } from '../paged-list.js';
import { href } from '../router.js';
import type { Delivery, Page, WebhookEndpoint } from '../types.js';
import { deliveryTable } from './delivery-table.js';
import { openEditEndpoint } from './endpoint-forms.js';
import { eventTypeSummary } from './endpoints.js';

const DAY_MS = 86_400_000;

async function sendTest(context: PageContext, endpoint: WebhookEndpoint, refresh: () => void) {
  const sent = await context.api.post<{ eventId: string; deliveryId: string }>(
    `/v2/webhooks/${endpoint.id}/test`,
  );
  context.shell.announce([
    'Test event sent. ',
    h('a', { href: href(['deliveries', sent.deliveryId]) }, `Open delivery ${sent.deliveryId}`),
    ' to follow it.',
  ]);
  refresh();
}

function disable(context: PageContext, endpoint: WebhookEndpoint): void {
  confirmDialog({
    title: 'Disable this endpoint?',
    message: [
      h('p', null, 'Lyceum stops sending events to ', h('code', null, endpoint.url), '.'),
      h('p', null, 'Events that happen meanwhile can be sent later with “Recover a time window”.'),
    ],
    confirmLabel: 'Disable',
    action: async () => {
      await context.api.patch(`/v2/webhooks/${endpoint.id}`, { enabled: false });
      return () => context.refresh('Endpoint disabled.');
    },
  });
}

function rotate(context: PageContext, endpoint: WebhookEndpoint): void {
  confirmDialog({
    title: 'Rotate the signing secret?',
    message: h(
      'p',
      null,
      'A new secret signs every webhook from now on. The current one keeps signing alongside it for a grace period (24 hours by default), so the receiver can switch without missing an event.',
    ),
    confirmLabel: 'Rotate secret',
    action: async () => {
      const { secret } = await context.api.post<{ secret: string }>(
        `/v2/webhooks/${endpoint.id}/rotate-secret`,
      );
      return () =>
        secretDialog({
          title: 'New signing secret',
          intro: ['Give this secret to the receiver at ', h('code', null, endpoint.url), '.'],
          label: 'Signing secret',
          secret,
        });
    },
  });
}

function recover(context: PageContext, endpoint: WebhookEndpoint): void {
  const now = Date.now();
  const since = h('input', {
    type: 'datetime-local',
    name: 'since',
    required: true,
    value: toLocalInput(now - DAY_MS),
  });
  const until = h('input', {
    type: 'datetime-local',
    name: 'until',
    required: true,
    value: toLocalInput(now),
  });
  formDialog({
    title: 'Recover a time window',
    intro: h(
      'p',
      null,
      'Sends again every event of the window that this endpoint did not receive: failed deliveries are queued again, and events it missed while disabled get a delivery. Delivered events are not sent twice. At most 31 days.',
    ),
    fields: [field('From (your time)', since), field('Until (your time)', until)],
    submitLabel: 'Recover',
    onSubmit: async (form) => {
      const range = {
        since: fromLocalInput(textValue(form, 'since')),
        until: fromLocalInput(textValue(form, 'until')),
      };
      const result = await context.api.post<{ requeued: number; created: number }>(
        `/v2/webhooks/${endpoint.id}/recover`,
        range,
      );
      context.shell.announce(
        `Recovery queued ${result.requeued} failed deliveries again and created ${result.created} for missed events.`,
      );
    },
  });
}

function remove(context: PageContext, endpoint: WebhookEndpoint): void {
  confirmDialog({
    title: 'Delete this endpoint?',
    message: h(
      'p',
      null,
      'Lyceum stops sending to ',
      h('code', null, endpoint.url),
      ' for good; its pending deliveries fail. Its delivery log stays readable.',
    ),
    confirmLabel: 'Delete endpoint',
    action: async () => {
      await context.api.delete(`/v2/webhooks/${endpoint.id}`);
      return () => context.navigateWithNotice(href(['endpoints']), 'Endpoint deleted.');
    },
  });
}

/** Runs `work`, showing its failure (a 409 when the endpoint is disabled, say) as an alert. */
function guarded(context: PageContext, work: () => Promise<void> | void): () => void {
  return () => {
    Promise.resolve()
      .then(work)
      .catch((error: unknown) => context.shell.announce(failureMessage(error), 'error'));
  };
}

function enable(context: PageContext, endpoint: WebhookEndpoint) {
  return async () => {
    await context.api.patch(`/v2/webhooks/${endpoint.id}`, { enabled: true });
    context.refresh('Endpoint enabled.');
  };
}

/** The action buttons; `refreshDeliveries` shows a test event's delivery in the list below. */
function actionButtons(
  context: PageContext,
  endpoint: WebhookEndpoint,
  refreshDeliveries: () => void,
): HTMLElement {
  const act = (work: () => Promise<void> | void) => guarded(context, work);
  const edit = () =>
    openEditEndpoint(context.api, endpoint, () => context.refresh('Endpoint saved.'));
  return h(
    'div',
    { class: 'toolbar', role: 'group', 'aria-label': 'Endpoint actions' },
    button(
      'Send test event',
      act(() => sendTest(context, endpoint, refreshDeliveries)),
      'primary',
    ),
    button('Edit', act(edit)),
    endpoint.enabled
      ? button(
          'Disable',
          act(() => disable(context, endpoint)),
        )
      : button('Enable', act(enable(context, endpoint))),
    button(
      'Rotate secret',
      act(() => rotate(context, endpoint)),
    ),
    button(
      'Recover a time window',
      act(() => recover(context, endpoint)),
    ),
    button(
      'Delete',
      act(() => remove(context, endpoint)),
      'danger',
    ),
  );
}

function details(endpoint: WebhookEndpoint): HTMLElement {
  const state = endpoint.enabled
    ? 'Enabled'
    : `Disabled: ${endpoint.disabledReason ?? 'no reason given'}`;
  return section(
    'Details',
    facts([
      ['ID', h('code', null, endpoint.id)],
      ['Event types', eventTypeSummary(endpoint.eventTypes)],
      ['State', state],
      ['Disabled at', timeElement(endpoint.disabledAt)],
      ['Created', timeElement(endpoint.createdAt)],
      ['Updated', timeElement(endpoint.updatedAt)],
    ]),
  );
}

/** Renders endpoint `id`. */
export async function endpointDetailPage(context: PageContext, id: string): Promise<void> {
  const endpoint = await context.api.get<WebhookEndpoint>(`/v2/webhooks/${encodeURIComponent(id)}`);
  if (!context.isCurrent()) return;

  const deliveries = pagedList<Delivery>({
    noun: 'deliveries',
    load: (cursor) =>
      context.api.get<Page<Delivery>>(`/v2/webhooks/${endpoint.id}/deliveries`, {
        cursor,
        limit: 10,
      }),
    render: (rows) =>
      deliveryTable(rows, { caption: 'Latest deliveries to this endpoint', captionHidden: true }),
  });
  const allDeliveries = href(['deliveries'], { endpoint: endpoint.id });

  context.render(
    endpoint.url,
    pageHeader(h('span', { class: 'url' }, endpoint.url), {
      lead: [endpointBadge(endpoint), ' ', endpoint.description],
    }),
    actionButtons(context, endpoint, () => void deliveries.reload()),
    details(endpoint),
    section(
      'Latest deliveries',
      h('p', null, h('a', { href: allDeliveries }, 'Filter every delivery of this endpoint')),
      deliveries.element,
    ),
  );
}
