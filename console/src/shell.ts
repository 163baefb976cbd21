/**
 * The frame around every page: a skip link, the header with the navigation and the sign-out
 * button, the main landmark the pages render into, and the live regions that read out the
 * results of actions that finish later (a test event queued, a key revoked, a failure).
 */
import { type Child, h, replace } from './dom.js';

/** The sections of the navigation, by first route segment. */
export const SECTIONS: Array<{ segment: string; label: string }> = [
  { segment: '', label: 'Overview' },
  { segment: 'endpoints', label: 'Endpoints' },
  { segment: 'deliveries', label: 'Deliveries' },
  { segment: 'events', label: 'Events' },
  { segment: 'api-keys', label: 'API keys' },
];

export type Tone = 'success' | 'error' | 'info';

/** What pages use of the frame. */
export interface Shell {
  main: HTMLElement;
  /** Shows `message` and has screen readers read it: politely, or at once for errors. */
  announce(message: Child, tone?: Tone): void;
  clearNotices(): void;
  /** Shows the navigation (signed in) or hides it (the sign-in page). */
  setSignedIn(signedIn: boolean): void;
  /** Marks the navigation link of `segment` as the current page. */
  setCurrentSection(segment: string): void;
  /** Moves focus to the page's heading, so a screen reader starts reading the new page. */
  focusHeading(): void;
}

/** Builds the frame inside `root`; `onSignOut` runs when the operator signs out. */
export function createShell(root: HTMLElement, onSignOut: () => void): Shell {
  const main = h('main', { id: 'main', tabindex: '-1' });
  const status = h('div', { class: 'notices', role: 'status', 'aria-live': 'polite' });
  const alert = h('div', { class: 'notices', role: 'alert', 'aria-live': 'assertive' });

  const links = SECTIONS.map(({ segment, label }) =>
    h('a', { href: `#/${segment}`, 'data-section': segment }, label),
  );
  const nav = h(
    'nav',
    { class: 'site-nav', 'aria-label': 'Console sections' },
    h(
      'ul',
      null,
      links.map((link) => h('li', null, link)),
    ),
  );
  const signOut = h('button', { type: 'button', class: 'button subtle', onclick: onSignOut }, [
    'Sign out',
  ]);
  const header = h(
    'header',
    { class: 'site-header' },
    h('a', { class: 'brand', href: '#/' }, h('span', { 'aria-hidden': 'true' }, '◆ '), 'Lyceum'),
    nav,
    signOut,
  );

  const focusHeading = () => {
    const heading = main.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    } else {
      main.focus();
    }
  };
  const skip = h(
    'button',
    { type: 'button', class: 'skip-link', onclick: focusHeading },
    'Skip to content',
  );

  replace(root, skip, header, h('div', { class: 'notice-area' }, status, alert), main);

  return {
    main,
    announce(message, tone = 'success') {
      const notice = h('p', { class: `notice ${tone}` }, message);
      if (tone === 'error') {
        replace(alert, notice);
        replace(status);
      } else {
        replace(status, notice);
        replace(alert);
      }
    },
    clearNotices() {
      replace(status);
      replace(alert);
    },
    setSignedIn(signedIn) {
      nav.hidden = !signedIn;
      signOut.hidden = !signedIn;
    },
    setCurrentSection(segment) {
      for (const link of links) {
        if (link.dataset.section === segment) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
      }
    },
    focusHeading,
  };
}
