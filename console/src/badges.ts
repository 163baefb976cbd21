/**
 * Small status labels. The state is always spelled out in text; colour only repeats it.
 */
import { h } from './dom.js';
import type { DeliveryStatus, WebhookEndpoint } from './types.js';

const DELIVERY_LABELS: Record<DeliveryStatus, string> = {
  pending: 'Pending',
  succeeded: 'Succeeded',
  failed: 'Failed',
};

/** The badge of a delivery status. */
export function deliveryBadge(status: DeliveryStatus): HTMLElement {
  return h('span', { class: `badge ${status}` }, DELIVERY_LABELS[status]);
}

/** The badge of an endpoint: enabled, failing or disabled. */
export function endpointBadge(
  endpoint: Pick<WebhookEndpoint, 'enabled'> & { failingSince?: string | null },
): HTMLElement {
  if (!endpoint.enabled) return h('span', { class: 'badge failed' }, 'Disabled');
  if (endpoint.failingSince) return h('span', { class: 'badge pending' }, 'Failing');
  return h('span', { class: 'badge succeeded' }, 'Enabled');
}

/** The badge of one attempt's result: its HTTP status, or why no answer came. */
export function attemptBadge(statusCode: number | null, errorKind: string | null): HTMLElement {
  const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
  const text = statusCode !== null ? `HTTP ${statusCode}` : (errorKind ?? 'no answer');
  return h('span', { class: `badge ${ok ? 'succeeded' : 'failed'}` }, text.replaceAll('_', ' '));
}
