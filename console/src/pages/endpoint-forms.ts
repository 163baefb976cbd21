/**
 * The dialogs that create and change a webhook endpoint: its URL, description and the event
 * types it wants (every type, or a chosen few).
 */
import type { ApiClient } from '../api.js';
import { formDialog, secretDialog } from '../dialog.js';
import { h } from '../dom.js';
import { eventTypes } from '../event-types.js';
import { checkboxGroup, checkedValues, field, textValue } from '../forms.js';
import type { WebhookEndpoint } from '../types.js';

const ALL_TYPES = '*';

async function endpointFields(api: ApiClient, current?: WebhookEndpoint): Promise<HTMLElement[]> {
  const types = await eventTypes(api);
  const url = h('input', {
    type: 'url',
    name: 'url',
    required: true,
    maxlength: '2048',
    placeholder: 'https://hris.example.com/lyceum-webhooks',
    value: current?.url ?? '',
  });
  const description = h('input', {
    type: 'text',
    name: 'description',
    maxlength: '500',
    value: current?.description ?? '',
  });
  const checked = current?.eventTypes ?? [];
  const all = checkboxGroup({
    legend: 'Event types',
    name: 'eventTypes',
    hint: 'Tick every type, or only those this receiver handles.',
    choices: [
      { value: ALL_TYPES, label: 'Every event type', hint: 'including types added later' },
      ...types.map(({ type, description: about }) => ({ value: type, label: type, hint: about })),
    ],
    checked,
  });
  return [
    field('URL', url, 'Events are POSTed here, signed with the endpoint’s secret.'),
    field('Description', description, 'Optional: who owns this receiver, what it feeds.'),
    all,
  ];
}

/** The event types ticked in `form`; refuses an empty choice with a message. */
function chosenTypes(form: HTMLFormElement): string[] {
  const chosen = checkedValues(form, 'eventTypes');
  if (chosen.length === 0) throw new Error('Choose at least one event type.');
  return chosen.includes(ALL_TYPES) ? [ALL_TYPES] : chosen;
}

/** Opens the dialog that creates an endpoint; `onCreated` runs after its secret was shown. */
export async function openCreateEndpoint(
  api: ApiClient,
  onCreated: (endpoint: WebhookEndpoint) => void,
): Promise<void> {
  const fields = await endpointFields(api);
  formDialog({
    title: 'Create an endpoint',
    fields,
    submitLabel: 'Create endpoint',
    onSubmit: async (form) => {
      const created = await api.post<WebhookEndpoint & { secret: string }>('/v2/webhooks', {
        url: textValue(form, 'url'),
        description: textValue(form, 'description'),
        eventTypes: chosenTypes(form),
      });
      return () =>
        secretDialog({
          title: 'Endpoint created',
          intro: [
            'The receiver at ',
            h('code', null, created.url),
            ' verifies each webhook with this signing secret.',
          ],
          label: 'Signing secret',
          secret: created.secret,
          onClose: () => onCreated(created),
        });
    },
  });
}

/** Opens the dialog that changes an endpoint's URL, description and event types. */
export async function openEditEndpoint(
  api: ApiClient,
  endpoint: WebhookEndpoint,
  onSaved: (endpoint: WebhookEndpoint) => void,
): Promise<void> {
  const fields = await endpointFields(api, endpoint);
  formDialog({
    title: 'Edit the endpoint',
    fields,
    submitLabel: 'Save changes',
    onSubmit: async (form) => {
      const saved = await api.patch<WebhookEndpoint>(`/v2/webhooks/${endpoint.id}`, {
        url: textValue(form, 'url'),
        description: textValue(form, 'description'),
        eventTypes: chosenTypes(form),
      });
      onSaved(saved);
    },
  });
}
