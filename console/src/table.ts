/**
 * Data tables with a caption and column headers, so a screen reader announces each cell with
 * its column. On a phone the CSS lays each row out as a card; `data-label` carries the column
 * name there.
 */
import { type Child, h, uid } from './dom.js';

/** One column: its header and how a row fills its cell. */
export interface Column<T> {
  header: string;
  cell: (row: T) => Child;
  /** Extra class of the cells, e.g. `numeric`. */
  className?: string;
}

export interface TableOptions<T> {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  /** What to say when there are no rows. */
  empty: Child;
  /** The first column names the row (`<th scope="row">`). */
  rowHeaders?: boolean;
  /** The caption repeats a visible heading: kept for screen readers, hidden on screen. */
  captionHidden?: boolean;
  /** `cards` (the default) turns rows into cards on a phone; `plain` keeps a table. */
  layout?: 'cards' | 'plain';
}

/**
 * A table of `rows`, or the `empty` text when there are none. Roles are written out because
 * some browsers forget a table's semantics once CSS changes its display, as the phone
 * layout does.
 */
export function dataTable<T>(options: TableOptions<T>): HTMLElement {
  if (options.rows.length === 0) return h('p', { class: 'empty' }, options.empty);
  const captionId = uid('caption');
  const head = h(
    'thead',
    { role: 'rowgroup' },
    h(
      'tr',
      { role: 'row' },
      options.columns.map((column) =>
        h('th', { scope: 'col', role: 'columnheader' }, column.header),
      ),
    ),
  );
  const body = h(
    'tbody',
    { role: 'rowgroup' },
    options.rows.map((row) =>
      h(
        'tr',
        { role: 'row' },
        options.columns.map((column, index) =>
          h(
            options.rowHeaders && index === 0 ? 'th' : 'td',
            {
              'data-label': column.header,
              class: column.className,
              scope: options.rowHeaders && index === 0 ? 'row' : undefined,
              role: options.rowHeaders && index === 0 ? 'rowheader' : 'cell',
            },
            column.cell(row),
          ),
        ),
      ),
    ),
  );
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-labelledby': captionId, tabindex: '0' },
    h(
      'table',
      { class: options.layout ?? 'cards', role: 'table' },
      h(
        'caption',
        { id: captionId, class: options.captionHidden ? 'sr-only' : undefined },
        options.caption,
      ),
      head,
      body,
    ),
  );
}
