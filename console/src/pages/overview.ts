/**
 * Overview: how delivery went over the last 24 hours (outcomes, success rate and latency by
 * hour), what is waiting to be sent, and the endpoints that need a person.
 */
import { endpointBadge } from '../badges.js';
import { barChart, lineChart } from '../charts.js';
import { h } from '../dom.js';
import {
  formatCount,
  formatMs,
  formatRate,
  hourLabel,
  relativeTime,
  timeElement,
} from '../format.js';
import { button, type PageContext, pageHeader, section } from '../page.js';
import { href } from '../router.js';
import { dataTable } from '../table.js';
import type { Overview } from '../types.js';

const OUTCOMES = [
  { key: 'succeeded', label: 'Succeeded', className: 'series-succeeded' },
  { key: 'failed', label: 'Failed', className: 'series-failed' },
  { key: 'pending', label: 'Pending', className: 'series-pending' },
];

function stat(label: string, value: string, detail?: string, tone?: string): HTMLElement {
  return h(
    'div',
    { class: `stat ${tone ?? ''}` },
    h('dt', null, label),
    h(
      'dd',
      null,
      h('span', { class: 'stat-value' }, value),
      detail ? h('span', { class: 'stat-detail' }, detail) : null,
    ),
  );
}

function summaryStats(overview: Overview): HTMLElement {
  const { deliveries, attempts, backlog, endpoints } = overview;
  const oldest = backlog.oldestDueAt
    ? `oldest due ${relativeTime(backlog.oldestDueAt)}`
    : 'nothing waiting';
  return h(
    'dl',
    { class: 'stats' },
    stat('Delivered', formatCount(deliveries.succeeded), 'deliveries, last 24 h', 'good'),
    stat(
      'Failed',
      formatCount(deliveries.failed),
      'gave up after every retry',
      deliveries.failed > 0 ? 'bad' : '',
    ),
    stat('Pending', formatCount(deliveries.pending), 'queued or retrying'),
    stat(
      'Attempt success',
      formatRate(attempts.successRate),
      `${formatCount(attempts.attempts)} attempts`,
    ),
    stat('Latency, median', formatMs(attempts.p50Ms), 'p50 of every attempt'),
    stat('Latency, p95', formatMs(attempts.p95Ms), '95 % took this long or less'),
    stat('Due backlog', formatCount(backlog.due), oldest, backlog.due > 0 ? 'warn' : ''),
    stat(
      'Retrying later',
      formatCount(backlog.scheduled),
      `${formatCount(backlog.inFlight)} in flight now`,
    ),
    stat(
      'Endpoints enabled',
      `${formatCount(endpoints.enabled)} of ${formatCount(endpoints.total)}`,
      endpoints.attention.length === 1
        ? '1 needs attention'
        : `${endpoints.attention.length} need attention`,
      endpoints.attention.length > 0 ? 'warn' : '',
    ),
  );
}

function charts(overview: Overview): HTMLElement {
  const points = overview.hours.map((hour) => ({ label: hourLabel(hour.start), hour }));
  const { deliveries, attempts } = overview;
  return h(
    'div',
    { class: 'charts' },
    barChart({
      title: 'Deliveries by outcome',
      summary: `Last 24 hours: ${formatCount(deliveries.succeeded)} succeeded, ${formatCount(deliveries.failed)} failed, ${formatCount(deliveries.pending)} pending.`,
      series: OUTCOMES,
      points: points.map(({ label, hour }) => ({ label, values: { ...hour.deliveries } })),
      format: formatCount,
    }),
    lineChart({
      title: 'Attempt success rate',
      summary: `Last 24 hours: ${formatRate(attempts.successRate)} of ${formatCount(attempts.attempts)} attempts got a 2xx.`,
      series: [{ key: 'rate', label: 'Success rate', className: 'series-succeeded' }],
      points: points.map(({ label, hour }) => ({ label, values: { rate: hour.successRate } })),
      format: formatRate,
      max: 1,
    }),
    lineChart({
      title: 'Attempt latency',
      summary: `Last 24 hours: median ${formatMs(attempts.p50Ms)}, 95th percentile ${formatMs(attempts.p95Ms)}.`,
      series: [
        { key: 'p50', label: 'p50', className: 'series-p50' },
        { key: 'p95', label: 'p95', className: 'series-p95' },
      ],
      points: points.map(({ label, hour }) => ({
        label,
        values: { p50: hour.p50Ms, p95: hour.p95Ms },
      })),
      format: formatMs,
    }),
  );
}

function attention(overview: Overview): HTMLElement {
  return section(
    'Endpoints that need attention',
    dataTable({
      caption: 'Disabled or failing endpoints',
      captionHidden: true,
      rows: overview.endpoints.attention,
      empty: 'Every endpoint is enabled and delivering.',
      rowHeaders: true,
      columns: [
        {
          header: 'Endpoint',
          cell: (endpoint) =>
            h('a', { href: href(['endpoints', endpoint.id]), class: 'url' }, endpoint.url),
        },
        { header: 'State', cell: (endpoint) => endpointBadge(endpoint) },
        {
          header: 'Why',
          cell: (endpoint) =>
            endpoint.enabled
              ? ['Failing since ', timeElement(endpoint.failingSince)]
              : (endpoint.disabledReason ?? 'disabled'),
        },
        {
          header: 'Failed deliveries',
          cell: (endpoint) =>
            h(
              'a',
              { href: href(['deliveries'], { endpoint: endpoint.id, status: 'failed' }) },
              'Show',
            ),
        },
      ],
    }),
  );
}

/** Renders the overview. */
export async function overviewPage(context: PageContext): Promise<void> {
  const overview = await context.api.get<Overview>('/v2/console/overview');
  if (!context.isCurrent()) return;
  context.render(
    'Overview',
    pageHeader('Overview', {
      lead: [
        'Webhook delivery over the last 24 hours, as of ',
        timeElement(overview.generatedAt),
        '.',
      ],
      actions: button('Refresh', () => context.refresh()),
    }),
    section('Last 24 hours', summaryStats(overview)),
    charts(overview),
    attention(overview),
  );
}
