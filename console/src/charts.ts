/**
 * Charts drawn as inline SVG: stacked bars for counts and lines for rates and latencies, 24
 * hourly points each. Every chart is a figure with a visible title, a one-line summary that
 * screen readers read as its description, a legend in text, and its numbers as a table.
 */
import { type Child, h, svg, uid } from './dom.js';
import { dataTable } from './table.js';

/** One series: which value of each point, and how it is named and coloured. */
export interface Series {
  key: string;
  label: string;
  /** The CSS class that colours it, e.g. `series-succeeded`. */
  className: string;
}

/** One point on the x axis. */
export interface ChartPoint {
  label: string;
  values: Record<string, number | null>;
}

export interface ChartOptions {
  title: string;
  /** One sentence that says what the chart shows, read as its description. */
  summary: string;
  series: Series[];
  points: ChartPoint[];
  format: (value: number) => string;
  /** A fixed top of the y axis (1 for rates); otherwise a round number above the data. */
  max?: number;
}

const WIDTH = 480;
const HEIGHT = 220;
const LEFT = 66;
const RIGHT = 8;
const TOP = 12;
const BOTTOM = 28;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
const PLOT_HEIGHT = HEIGHT - TOP - BOTTOM;
/** An x-axis label every this many points: 6 hours apart. */
const LABEL_EVERY = 6;

/** The smallest of 1, 2 or 5 times a power of ten that is at least `value`. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const fraction = value / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

function yOf(value: number, max: number): number {
  return TOP + PLOT_HEIGHT - (value / max) * PLOT_HEIGHT;
}

function axes(points: ChartPoint[], max: number, format: (value: number) => string): Child {
  const band = PLOT_WIDTH / Math.max(points.length, 1);
  const ticks = [0, max / 2, max].map((value) => {
    const y = yOf(value, max);
    return [
      svg('line', { class: 'grid', x1: LEFT, x2: WIDTH - RIGHT, y1: y, y2: y }),
      svg('text', { class: 'tick', x: LEFT - 6, y: y + 4, 'text-anchor': 'end' }, format(value)),
    ];
  });
  const labels = points.map((point, index) =>
    index % LABEL_EVERY === 0
      ? svg(
          'text',
          { class: 'tick', x: LEFT + band * (index + 0.5), y: HEIGHT - 8, 'text-anchor': 'middle' },
          point.label,
        )
      : null,
  );
  return [ticks, labels];
}

function maxOf(options: ChartOptions, stacked: boolean): number {
  if (options.max !== undefined) return options.max;
  const totals = options.points.map((point) => {
    const values = options.series.map((series) => point.values[series.key] ?? 0);
    return stacked ? values.reduce((sum, value) => sum + value, 0) : Math.max(0, ...values);
  });
  return niceCeiling(Math.max(0, ...totals));
}

/** Stacked bars, one bar per point, the series stacked in order from the bottom. */
export function barChart(options: ChartOptions): HTMLElement {
  const max = maxOf(options, true);
  const band = PLOT_WIDTH / Math.max(options.points.length, 1);
  const bars = options.points.map((point, index) => {
    let base = 0;
    return options.series.map((series) => {
      const value = point.values[series.key] ?? 0;
      if (value <= 0) return null;
      const top = yOf(base + value, max);
      const bottom = yOf(base, max);
      base += value;
      return svg(
        'rect',
        {
          class: series.className,
          x: LEFT + band * index + band * 0.15,
          y: top,
          width: band * 0.7,
          height: Math.max(bottom - top, 1),
        },
        svg(
          'title',
          null,
          `${point.label}: ${options.format(value)} ${series.label.toLowerCase()}`,
        ),
      );
    });
  });
  return figure(options, [axes(options.points, max, options.format), bars]);
}

/** Lines, one per series; a point without a value breaks the line. */
export function lineChart(options: ChartOptions): HTMLElement {
  const max = maxOf(options, false);
  const band = PLOT_WIDTH / Math.max(options.points.length, 1);
  const lines = options.series.map((series) => {
    let path = '';
    let drawing = false;
    const dots: Child[] = [];
    options.points.forEach((point, index) => {
      const value = point.values[series.key];
      if (value === null || value === undefined) {
        drawing = false;
        return;
      }
      const x = LEFT + band * (index + 0.5);
      const y = yOf(Math.min(value, max), max);
      path += `${drawing ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
      drawing = true;
      dots.push(
        svg(
          'circle',
          { class: series.className, cx: x, cy: y, r: 3 },
          svg('title', null, `${point.label}: ${series.label} ${options.format(value)}`),
        ),
      );
    });
    return [path ? svg('path', { class: `line ${series.className}`, d: path }) : null, dots];
  });
  return figure(options, [axes(options.points, max, options.format), lines]);
}

function figure(options: ChartOptions, drawing: Child): HTMLElement {
  const titleId = uid('chart-title');
  const summaryId = uid('chart-summary');
  const picture = svg(
    'svg',
    {
      class: 'chart',
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'img',
      'aria-labelledby': titleId,
      'aria-describedby': summaryId,
    },
    drawing,
  );
  const legend = h(
    'ul',
    { class: 'legend' },
    options.series.map((series) =>
      h(
        'li',
        null,
        h('span', { class: `swatch ${series.className}`, 'aria-hidden': 'true' }),
        series.label,
      ),
    ),
  );
  const table = dataTable({
    caption: `${options.title}, by hour`,
    columns: [
      { header: 'Hour', cell: (point: ChartPoint) => point.label },
      ...options.series.map((series) => ({
        header: series.label,
        className: 'numeric',
        cell: (point: ChartPoint) => {
          const value = point.values[series.key];
          return value === null || value === undefined ? '—' : options.format(value);
        },
      })),
    ],
    rows: options.points,
    empty: 'No data.',
    rowHeaders: true,
    layout: 'plain',
  });
  return h(
    'figure',
    { class: 'chart-figure' },
    h('figcaption', { id: titleId }, options.title),
    h('p', { class: 'chart-summary', id: summaryId }, options.summary),
    picture,
    legend,
    h('details', { class: 'chart-data' }, h('summary', null, 'Show the numbers'), table),
  );
}
