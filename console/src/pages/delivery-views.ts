/**
 * How a delivery reads: its summary, and each attempt with the request that was sent (signed
 * headers and the envelope as the body) and the answer that came back.
 */
import { attemptBadge, deliveryBadge } from '../badges.js';
import { h } from '../dom.js';
import { formatCount, formatMs, timeElement } from '../format.js';
import { codeBlock, facts } from '../page.js';
import { href } from '../router.js';
import { dataTable } from '../table.js';
import type { DeliveryAttempt, DeliveryWithAttempts, HeaderMap } from '../types.js';

/** What every attempt of a delivery sent: the endpoint's URL and the body. */
export interface SentRequest {
  url: string;
  body: string;
}

function headerTable(caption: string, headers: HeaderMap): HTMLElement {
  const rows = Object.entries(headers).map(([name, value]) => ({
    name,
    value: Array.isArray(value) ? value.join(', ') : value,
  }));
  return dataTable({
    caption,
    rows,
    rowHeaders: true,
    layout: 'plain',
    empty: 'No headers.',
    columns: [
      { header: 'Header', cell: (row) => h('code', null, row.name) },
      { header: 'Value', cell: (row) => h('code', { class: 'header-value' }, row.value) },
    ],
  });
}

/** One attempt, folded unless `open`; numbered from 1. */
export function attemptView(
  attempt: DeliveryAttempt,
  number: number,
  request: SentRequest,
  open: boolean,
): HTMLElement {
  const outcome =
    attempt.statusCode === null
      ? `no answer (${attempt.errorKind ?? 'network'})`
      : `HTTP ${attempt.statusCode}`;
  return h(
    'details',
    { class: 'attempt', open },
    h(
      'summary',
      null,
      h('span', { class: 'attempt-title' }, `Attempt ${number}`),
      attemptBadge(attempt.statusCode, attempt.errorKind),
      h('span', null, formatMs(attempt.durationMs)),
      timeElement(attempt.attemptedAt),
    ),
    h(
      'div',
      { class: 'attempt-body' },
      h(
        'section',
        { 'aria-label': `Request of attempt ${number}` },
        h('h3', null, 'Request'),
        h('p', null, h('code', null, `POST ${request.url}`)),
        headerTable(`Request headers, attempt ${number}`, attempt.requestHeaders),
        h('h4', null, 'Body: the event envelope, sent as compact JSON'),
        codeBlock(`Request body, attempt ${number}`, request.body),
      ),
      h(
        'section',
        { 'aria-label': `Response of attempt ${number}` },
        h('h3', null, 'Response'),
        h('p', null, outcome, ` after ${formatMs(attempt.durationMs)}`),
        headerTable(`Response headers, attempt ${number}`, attempt.responseHeaders),
        h('h4', null, 'Body (its start)'),
        codeBlock(`Response body, attempt ${number}`, attempt.responseBody),
      ),
    ),
  );
}

/** The facts of a delivery: status, endpoint, event, attempts and times. */
export function deliverySummary(delivery: DeliveryWithAttempts, endpointUrl: string): HTMLElement {
  return facts([
    ['Status', deliveryBadge(delivery.status)],
    [
      'Endpoint',
      h('a', { href: href(['endpoints', delivery.endpointId]), class: 'url' }, endpointUrl),
    ],
    ['Event', h('a', { href: href(['events', delivery.eventId]), class: 'id' }, delivery.eventId)],
    ['Event type', h('code', null, delivery.eventType)],
    ['Attempts', formatCount(delivery.attemptCount)],
    ['Last attempt', timeElement(delivery.lastAttemptAt)],
    ['Next attempt', timeElement(delivery.nextAttemptAt)],
    ['Created', timeElement(delivery.createdAt)],
  ]);
}
