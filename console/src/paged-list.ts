/**
 * A list that pages with the API's cursors: "Previous" and "Next" buttons, the page number,
 * and the cursors of earlier pages kept so "Previous" can go back (the API's cursors only go
 * forward). Focus stays on the button that was pressed while the next page loads.
 */
import { failureMessage } from './api.js';
import { type Child, h, replace } from './dom.js';
import type { Page } from './types.js';

export interface PagedListOptions<T> {
  /** What the list holds, for the pagination label, e.g. `deliveries`. */
  noun: string;
  load: (cursor: string | undefined) => Promise<Page<T>>;
  render: (rows: T[]) => Child;
}

/** A paged list; `reload` shows the first page again (after a filter or a change). */
export interface PagedList {
  element: HTMLElement;
  reload(): Promise<void>;
}

/** Builds the list and loads its first page. */
export function pagedList<T>(options: PagedListOptions<T>): PagedList {
  const earlier: Array<string | undefined> = [];
  let cursor: string | undefined;
  const content = h('div', { class: 'paged-content', 'aria-live': 'off' });
  const pager = h('nav', { class: 'pager', 'aria-label': `Pages of ${options.noun}` });
  const element = h('div', { class: 'paged-list' }, content, pager);

  async function show(focus?: 'next' | 'previous'): Promise<void> {
    element.setAttribute('aria-busy', 'true');
    try {
      const page = await options.load(cursor);
      replace(content, options.render(page.data));
      renderPager(page, focus);
    } catch (error) {
      replace(content, h('p', { class: 'load-error', role: 'alert' }, failureMessage(error)));
    } finally {
      element.removeAttribute('aria-busy');
    }
  }

  function renderPager(page: Page<T>, focus?: 'next' | 'previous'): void {
    const previous = h(
      'button',
      { type: 'button', class: 'button subtle', disabled: earlier.length === 0 },
      '← Previous',
    );
    const next = h(
      'button',
      { type: 'button', class: 'button subtle', disabled: !page.pageInfo.hasMore },
      'Next →',
    );
    previous.addEventListener('click', () => {
      cursor = earlier.pop();
      void show('previous');
    });
    next.addEventListener('click', () => {
      earlier.push(cursor);
      cursor = page.pageInfo.cursor ?? undefined;
      void show('next');
    });
    const single = earlier.length === 0 && !page.pageInfo.hasMore;
    replace(
      pager,
      single
        ? null
        : [previous, h('span', { class: 'page-number' }, `Page ${earlier.length + 1}`), next],
    );
    if (focus) {
      const wanted = focus === 'next' ? next : previous;
      (wanted.disabled ? (focus === 'next' ? previous : next) : wanted).focus();
    }
  }

  const reload = () => {
    earlier.length = 0;
    cursor = undefined;
    return show();
  };
  void reload();
  return { element, reload };
}

/** Pages of an array the API returns whole (API keys), in the same shape as the API's pages. */
export function pageOfArray<T>(rows: T[], cursor: string | undefined, size = 25): Page<T> {
  const start = cursor === undefined ? 0 : Number(cursor);
  const end = start + size;
  return {
    data: rows.slice(start, end),
    pageInfo: { cursor: end < rows.length ? String(end) : null, hasMore: end < rows.length },
  };
}
