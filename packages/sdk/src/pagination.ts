/**
 * Walking every page of a list. Each list answers `{ data, pageInfo: { cursor, hasMore } }`;
 * the next page is asked for with the same query and the previous page's cursor.
 */
import type { RequestOptions } from './transport.js';

/** One page of a list. */
export interface Page<T> {
  data: T[];
  pageInfo: {
    /** Pass it as `cursor` for the next page. */
    cursor: string | null;
    /** Whether more items are there right now. */
    hasMore: boolean;
  };
}

/** The query every list takes. */
export interface PageQuery {
  limit?: number;
  cursor?: string;
}

/** A list operation: call it for one page, or `.all(query)` to iterate over every item. */
export type ListCall<Q extends PageQuery, T> = ((
  query?: Q,
  options?: RequestOptions,
) => Promise<Page<T>>) & {
  /** Every item of every page, fetched page by page as the loop asks for more. */
  all(query?: Omit<Q, 'cursor'>, options?: RequestOptions): AsyncIterableIterator<T>;
};

/** A list under a parent (`users.enrollments(userId)`), with `.all(parentId, query)`. */
export type NestedListCall<Q extends PageQuery, T> = ((
  id: string,
  query?: Q,
  options?: RequestOptions,
) => Promise<Page<T>>) & {
  /** Every item of every page, fetched page by page as the loop asks for more. */
  all(id: string, query?: Omit<Q, 'cursor'>, options?: RequestOptions): AsyncIterableIterator<T>;
};

/**
 * Every page of a list, starting from `query` (which may hold a cursor to resume from), until
 * a page says there is no more.
 */
export async function* paginatePages<Q extends PageQuery, T>(
  list: (query: Q) => Promise<Page<T>>,
  query?: Q | Omit<Q, 'cursor'>,
): AsyncIterableIterator<Page<T>> {
  let next = { ...query } as Q;
  for (;;) {
    const page = await list(next);
    yield page;
    if (!page.pageInfo.hasMore || page.pageInfo.cursor === null) return;
    next = { ...next, cursor: page.pageInfo.cursor };
  }
}

/**
 * Every item of a list, e.g. `for await (const user of paginate(client.users.list, {
 * updatedSince }))`; for a nested list, `paginate((q) => client.users.enrollments(id, q))`.
 */
export async function* paginate<Q extends PageQuery, T>(
  list: (query: Q) => Promise<Page<T>>,
  query?: Q | Omit<Q, 'cursor'>,
): AsyncIterableIterator<T> {
  for await (const page of paginatePages(list, query)) yield* page.data;
}

/** Gives a list operation its `.all`. */
export function listCall<Q extends PageQuery, T>(
  call: (query?: Q, options?: RequestOptions) => Promise<Page<T>>,
): ListCall<Q, T> {
  return Object.assign(call, {
    all: (query?: Omit<Q, 'cursor'>, options?: RequestOptions) =>
      paginate((q: Q) => call(q, options), query),
  });
}

/** Gives a nested list operation its `.all`. */
export function nestedListCall<Q extends PageQuery, T>(
  call: (id: string, query?: Q, options?: RequestOptions) => Promise<Page<T>>,
): NestedListCall<Q, T> {
  return Object.assign(call, {
    all: (id: string, query?: Omit<Q, 'cursor'>, options?: RequestOptions) =>
      paginate((q: Q) => call(id, q, options), query),
  });
}
