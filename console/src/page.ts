/**
 * What every page gets, and the pieces most pages are made of: a heading with actions, a
 * description list of facts, a block of JSON.
 */
import type { ApiClient } from './api.js';
import { type Child, h } from './dom.js';
import type { Route } from './router.js';
import type { Shell, Tone } from './shell.js';

/** Everything a page needs to draw itself and act. */
export interface PageContext {
  api: ApiClient;
  route: Route;
  shell: Shell;
  /** False once the operator has moved on; async work checks it before touching the page. */
  isCurrent(): boolean;
  /** Puts `children` on the page and names the browser tab after `title`. */
  render(title: string, ...children: Child[]): void;
  /** Shows `message` on the page that `target` leads to, then goes there. */
  navigateWithNotice(target: string, message: Child, tone?: Tone): void;
  /** Draws the current page again, with `message` when given. */
  refresh(message?: Child, tone?: Tone): void;
}

/** A page: draws itself into the context's main landmark. */
export type PageRenderer = (context: PageContext) => Promise<void>;

/** The page heading (the one `h1`), an optional line under it and its action buttons. */
export function pageHeader(title: Child, options: { lead?: Child; actions?: Child } = {}) {
  return h(
    'div',
    { class: 'page-header' },
    h(
      'div',
      { class: 'page-title' },
      h('h1', null, title),
      options.lead ? h('p', { class: 'lead' }, options.lead) : null,
    ),
    options.actions ? h('div', { class: 'actions' }, options.actions) : null,
  );
}

/** A list of facts: term and value pairs. */
export function facts(items: Array<[string, Child]>): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    items.map(([term, value]) => h('div', null, h('dt', null, term), h('dd', null, value))),
  );
}

/** A labelled, scrollable block of preformatted text (JSON, a response body). */
export function codeBlock(label: string, text: string): HTMLElement {
  return h(
    'pre',
    { class: 'code', tabindex: '0', role: 'region', 'aria-label': label },
    h('code', null, text === '' ? '(empty)' : text),
  );
}

/** A section with a heading of level 2. */
export function section(title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'panel' }, h('h2', null, title), children);
}

/** A button that runs `action` when pressed. */
export function button(
  label: Child,
  action: (event: Event) => void,
  kind: 'primary' | 'subtle' | 'danger' = 'subtle',
  attributes: Record<string, string | boolean> = {},
): HTMLButtonElement {
  return h(
    'button',
    { type: 'button', class: `button ${kind}`, onclick: action, ...attributes },
    label,
  );
}
