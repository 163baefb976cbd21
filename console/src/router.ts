/**
 * Where the console is: the part of the URL after `#`, e.g. `#/deliveries/dlv_…?status=failed`.
 * Routing by fragment keeps every page at `/console/`, so the server serves one page and the
 * browser's back button and bookmarks still work.
 */

/** A parsed location: path segments and query. */
export interface Route {
  segments: string[];
  query: URLSearchParams;
}

/** The route of the current location. */
export function currentRoute(): Route {
  const fragment = location.hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = fragment.split('?', 2);
  const segments = path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => decodeURIComponent(segment));
  return { segments, query: new URLSearchParams(search) };
}

/** The href of a route, e.g. `href(['deliveries'], { status: 'failed' })`. */
export function href(segments: string[], query: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, value);
  }
  const search = params.toString();
  return `#/${segments.map(encodeURIComponent).join('/')}${search ? `?${search}` : ''}`;
}

/** Goes to `target` (an href from `href`); the hashchange listener renders it. */
export function navigate(target: string): void {
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = target;
}
