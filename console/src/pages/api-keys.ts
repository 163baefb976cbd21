/**
 * API keys: every key by name, prefix and scopes; create one (shown once) and revoke one.
 */
import { failureMessage } from '../api.js';
import { confirmDialog, formDialog, secretDialog } from '../dialog.js';
import { h } from '../dom.js';
import { timeElement } from '../format.js';
import { checkboxGroup, checkedValues, field, textValue } from '../forms.js';
import { button, type PageContext, pageHeader } from '../page.js';
import { pagedList, pageOfArray } from '../paged-list.js';
import { storedKey } from '../session.js';
import { dataTable } from '../table.js';
import type { ApiKey } from '../types.js';

const SCOPE_CHOICES = [
  { value: 'read', label: 'read', hint: 'GET every resource' },
  { value: 'write', label: 'write', hint: 'read, and create or change learning data' },
  { value: 'admin', label: 'admin', hint: 'everything, including keys and webhooks' },
];

function openCreateKey(context: PageContext): void {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '100' });
  const rateLimit = h('input', {
    type: 'text',
    name: 'rateLimit',
    maxlength: '32',
    placeholder: '120/min',
  });
  formDialog({
    title: 'Create an API key',
    fields: [
      field('Name', name, 'Who or what uses it, e.g. “HRIS sync”.'),
      checkboxGroup({
        legend: 'Scopes',
        name: 'scopes',
        choices: SCOPE_CHOICES,
        checked: ['read'],
      }),
      field(
        'Rate limit (optional)',
        rateLimit,
        'Requests allowed, e.g. 600/min; 120/min when empty.',
      ),
    ],
    submitLabel: 'Create key',
    onSubmit: async (form) => {
      const scopes = checkedValues(form, 'scopes');
      if (scopes.length === 0) throw new Error('Choose at least one scope.');
      const limit = textValue(form, 'rateLimit');
      const created = await context.api.post<ApiKey & { key: string }>('/v2/api-keys', {
        name: textValue(form, 'name'),
        scopes,
        ...(limit ? { rateLimit: limit } : {}),
      });
      return () =>
        secretDialog({
          title: 'API key created',
          intro: [
            'The key ',
            h('strong', null, created.name),
            ' can be used as ',
            h('code', null, 'Authorization: Bearer <key>'),
            '.',
          ],
          label: 'API key',
          secret: created.key,
          onClose: () => context.refresh(`Key “${created.name}” created.`),
        });
    },
  });
}

function revoke(context: PageContext, key: ApiKey): void {
  confirmDialog({
    title: `Revoke “${key.name}”?`,
    message: h(
      'p',
      null,
      'Every request with the key ',
      h('code', null, `${key.prefix}…`),
      ' is refused from now on. This cannot be undone.',
    ),
    confirmLabel: 'Revoke key',
    action: async () => {
      await context.api.delete(`/v2/api-keys/${key.id}`);
      return () => context.refresh(`Key “${key.name}” revoked.`);
    },
  });
}

function keyTable(context: PageContext, rows: ApiKey[]): HTMLElement {
  const signedInKey = storedKey();
  return dataTable({
    caption: 'API keys, newest first',
    rows,
    rowHeaders: true,
    empty: 'No API key.',
    columns: [
      {
        header: 'Name',
        cell: (key) => [
          key.name,
          signedInKey?.startsWith(key.prefix)
            ? h('span', { class: 'hint' }, ' (this console’s key)')
            : null,
        ],
      },
      { header: 'Prefix', cell: (key) => h('code', null, `${key.prefix}…`) },
      { header: 'Scopes', cell: (key) => key.scopes.join(', ') },
      {
        header: 'Rate limit',
        cell: (key) =>
          key.rateLimitPerMinute === null ? 'default' : `${key.rateLimitPerMinute}/min`,
      },
      { header: 'Created', cell: (key) => timeElement(key.createdAt) },
      { header: 'Last used', cell: (key) => timeElement(key.lastUsedAt) },
      {
        header: 'State',
        cell: (key) =>
          key.revokedAt === null
            ? h('span', { class: 'badge succeeded' }, 'Active')
            : [h('span', { class: 'badge failed' }, 'Revoked'), ' ', timeElement(key.revokedAt)],
      },
      {
        header: 'Actions',
        cell: (key) =>
          key.revokedAt === null
            ? button('Revoke', () => revoke(context, key), 'danger', {
                'aria-label': `Revoke key ${key.name}`,
              })
            : null,
      },
    ],
  });
}

/** Renders the list of API keys. */
export async function apiKeysPage(context: PageContext): Promise<void> {
  const { data } = await context.api.get<{ data: ApiKey[] }>('/v2/api-keys');
  if (!context.isCurrent()) return;
  const list = pagedList<ApiKey>({
    noun: 'API keys',
    load: async (cursor) => pageOfArray(data, cursor),
    render: (rows) => keyTable(context, rows),
  });
  context.render(
    'API keys',
    pageHeader('API keys', {
      lead: 'Keys that call the REST API. Lyceum stores only a hash of each; the key itself is shown once, when it is created.',
      actions: button(
        'Create key',
        () => {
          try {
            openCreateKey(context);
          } catch (error) {
            context.shell.announce(failureMessage(error), 'error');
          }
        },
        'primary',
      ),
    }),
    list.element,
  );
}
