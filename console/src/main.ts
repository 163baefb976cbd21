/**
 * The console's entry point: the frame, the sign-in gate and the router that draws the page
 * of the current URL fragment.
 */
import { ApiClient, failureMessage } from './api.js';
import { type Child, h, replace } from './dom.js';
import type { PageContext } from './page.js';
import { apiKeysPage } from './pages/api-keys.js';
import { deliveriesPage } from './pages/deliveries.js';
import { deliveryDetailPage } from './pages/delivery-detail.js';
import { endpointDetailPage } from './pages/endpoint-detail.js';
import { endpointsPage } from './pages/endpoints.js';
import { eventDetailPage } from './pages/event-detail.js';
import { eventsPage } from './pages/events.js';
import { overviewPage } from './pages/overview.js';
import { renderSignIn } from './pages/sign-in.js';
import { currentRoute, navigate, type Route } from './router.js';
import { clearKey, storedKey, storeKey } from './session.js';
import { createShell, type Shell, type Tone } from './shell.js';

const SIGN_IN = '#/sign-in';

/** The page of a route: a list page without an id, a record's page with one. */
function pageFor(route: Route): ((context: PageContext) => Promise<void>) | undefined {
  const [section = '', id, ...rest] = route.segments;
  if (rest.length > 0) return undefined;
  const withId = (page: (context: PageContext, id: string) => Promise<void>) =>
    id === undefined ? undefined : (context: PageContext) => page(context, id);
  switch (section) {
    case '':
      return id === undefined ? overviewPage : undefined;
    case 'endpoints':
      return id === undefined ? endpointsPage : withId(endpointDetailPage);
    case 'deliveries':
      return id === undefined ? deliveriesPage : withId(deliveryDetailPage);
    case 'events':
      return id === undefined ? eventsPage : withId(eventDetailPage);
    case 'api-keys':
      return id === undefined ? apiKeysPage : undefined;
    default:
      return undefined;
  }
}

type Notice = { message: Child; tone: Tone };

/** The running console: the frame, and the page of the current location drawn into it. */
class ConsoleApp {
  private readonly shell: Shell;
  /** Counts draws, so a page whose data arrives after the operator moved on draws nothing. */
  private generation = 0;
  /** A notice to show on the next page drawn. */
  private pending: Notice | undefined;

  constructor(root: HTMLElement) {
    this.shell = createShell(root, () => this.signOut());
    window.addEventListener('hashchange', () => void this.draw());
    void this.draw();
  }

  private signOut(message?: string): void {
    clearKey();
    this.pending = message ? { message, tone: 'error' } : { message: 'Signed out.', tone: 'info' };
    navigate(SIGN_IN);
  }

  private async draw(): Promise<void> {
    this.generation += 1;
    const notice = this.pending;
    this.pending = undefined;
    this.shell.clearNotices();

    const key = storedKey();
    if (!key) return this.drawSignIn(notice);
    if (location.hash === SIGN_IN) return navigate('#/');
    await this.drawPage(this.contextFor(key, this.generation), notice);
  }

  private drawSignIn(notice: Notice | undefined): void {
    this.shell.setSignedIn(false);
    document.title = 'Sign in · Lyceum console';
    renderSignIn(this.shell.main, (accepted) => {
      storeKey(accepted);
      // Straight on to the page that was asked for, or to the overview.
      if (location.hash === SIGN_IN || location.hash === '') navigate('#/');
      else void this.draw();
    });
    if (notice) this.shell.announce(notice.message, notice.tone);
  }

  private contextFor(key: string, generation: number): PageContext {
    const { shell } = this;
    const api = new ApiClient(key, () =>
      this.signOut(
        'Lyceum no longer accepts this API key (it was revoked, or is unknown); sign in again.',
      ),
    );
    return {
      api,
      route: currentRoute(),
      shell,
      isCurrent: () => generation === this.generation,
      render(title, ...children) {
        document.title = `${title} · Lyceum console`;
        replace(shell.main, ...children);
      },
      navigateWithNotice: (target, message, tone = 'success') => {
        this.pending = { message, tone };
        navigate(target);
      },
      refresh: (message, tone = 'success') => {
        this.pending = message === undefined ? undefined : { message, tone };
        void this.draw();
      },
    };
  }

  private async drawPage(context: PageContext, notice: Notice | undefined): Promise<void> {
    const { shell } = this;
    shell.setSignedIn(true);
    shell.setCurrentSection(context.route.segments[0] ?? '');
    shell.main.setAttribute('aria-busy', 'true');
    const page = pageFor(context.route);
    try {
      if (page) await page(context);
      else notFound(context);
    } catch (error) {
      if (context.isCurrent()) failed(context, failureMessage(error));
    }
    if (!context.isCurrent()) return;
    shell.main.removeAttribute('aria-busy');
    if (notice) shell.announce(notice.message, notice.tone);
    shell.focusHeading();
  }
}

function notFound(context: PageContext): void {
  context.render(
    'Not found',
    h('h1', null, 'No such page'),
    h(
      'p',
      null,
      'The console has no page at this address. ',
      h('a', { href: '#/' }, 'Go to the overview.'),
    ),
  );
}

function failed(context: PageContext, message: string): void {
  context.render(
    'Could not load',
    h('h1', null, 'This page could not be loaded'),
    h('p', { class: 'load-error' }, message),
    h(
      'button',
      { type: 'button', class: 'button primary', onclick: () => context.refresh() },
      'Try again',
    ),
  );
}

const root = document.getElementById('app');
if (root) new ConsoleApp(root);
