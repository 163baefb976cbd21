/**
 * One delivery: what was sent and what came back, attempt by attempt, and a button to send it
 * again. While it is pending the page checks on it, less often the longer it waits, and says
 * when it finishes.
 */
import { ApiError, failureMessage } from '../api.js';
import { h, replace } from '../dom.js';
import { prettyJson } from '../format.js';
import { button, type PageContext, pageHeader, section } from '../page.js';
import type { DeliveryWithAttempts, EventDeliveries, WebhookEndpoint } from '../types.js';
import { attemptView, deliverySummary, type SentRequest } from './delivery-views.js';

/** Delays between checks on a pending delivery; the last one repeats. */
const POLL_DELAYS_MS = [500, 1000, 1000, 2000, 3000, 5000];

/** The parts of the page that change as the delivery does, and the checks that change them. */
class LiveDelivery {
  readonly facts = h('div');
  readonly attempts = h('div', { class: 'attempts' });
  readonly resend = button('Resend', () => void this.resendNow(), 'primary');
  readonly resendHint = h('p', { class: 'hint' });
  private polls = 0;

  constructor(
    private readonly context: PageContext,
    private delivery: DeliveryWithAttempts,
    private readonly request: SentRequest,
  ) {
    this.show();
    if (delivery.status === 'pending') this.schedulePoll();
  }

  private show(): void {
    const { delivery } = this;
    replace(this.facts, deliverySummary(delivery, this.request.url));
    const last = delivery.attempts.length - 1;
    replace(
      this.attempts,
      last < 0
        ? h('p', { class: 'empty' }, 'No attempt yet: the delivery is queued.')
        : delivery.attempts
            .map((attempt, index) => attemptView(attempt, index + 1, this.request, index === last))
            .reverse(),
    );
    const pending = delivery.status === 'pending';
    this.resend.disabled = pending;
    replace(
      this.resendHint,
      pending
        ? 'Resend is possible once this delivery has finished.'
        : 'Sends the same event again now, with a fresh set of retries.',
    );
  }

  private async reload(): Promise<void> {
    const id = this.delivery.id;
    this.delivery = await this.context.api.get<DeliveryWithAttempts>(`/v2/deliveries/${id}`);
  }

  private schedulePoll(): void {
    const delay = POLL_DELAYS_MS[Math.min(this.polls, POLL_DELAYS_MS.length - 1)];
    this.polls += 1;
    setTimeout(() => void this.poll(), delay);
  }

  private async poll(): Promise<void> {
    if (!this.context.isCurrent()) return;
    const before = this.delivery;
    try {
      await this.reload();
    } catch (error) {
      this.context.shell.announce(failureMessage(error), 'error');
      return;
    }
    if (!this.context.isCurrent()) return;
    const { attemptCount, status } = this.delivery;
    if (attemptCount !== before.attemptCount || status !== before.status) this.show();
    if (status === 'pending') this.schedulePoll();
    else this.announceOutcome();
  }

  private announceOutcome(): void {
    const { status } = this.delivery;
    this.context.shell.announce(`Delivery ${status}.`, status === 'failed' ? 'error' : 'success');
  }

  private async resendNow(): Promise<void> {
    this.resend.disabled = true;
    try {
      await this.context.api.post(`/v2/deliveries/${this.delivery.id}/resend`);
      await this.reload();
    } catch (error) {
      this.resend.disabled = false;
      this.context.shell.announce(failureMessage(error), 'error');
      return;
    }
    this.show();
    // A fast receiver may already have answered by the time the page asks.
    if (this.delivery.status !== 'pending') return this.announceOutcome();
    this.context.shell.announce('Delivery queued again.', 'info');
    this.polls = 0;
    this.schedulePoll();
  }
}

async function endpointUrlOf(context: PageContext, id: string): Promise<string> {
  try {
    return (await context.api.get<WebhookEndpoint>(`/v2/webhooks/${id}`)).url;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return `${id} (deleted)`;
    throw error;
  }
}

/** Renders delivery `id` and keeps it current while it is pending. */
export async function deliveryDetailPage(context: PageContext, id: string): Promise<void> {
  const delivery = await context.api.get<DeliveryWithAttempts>(
    `/v2/deliveries/${encodeURIComponent(id)}`,
  );
  const [url, event] = await Promise.all([
    endpointUrlOf(context, delivery.endpointId),
    context.api.get<EventDeliveries>(`/v2/console/events/${delivery.eventId}/deliveries`),
  ]);
  if (!context.isCurrent()) return;

  // Every attempt sends the event's envelope (as compact JSON); shown indented to be read.
  const live = new LiveDelivery(context, delivery, { url, body: prettyJson(event.event) });
  context.render(
    `Delivery ${delivery.id}`,
    pageHeader(['Delivery ', h('span', { class: 'id' }, delivery.id)], {
      lead: [
        'Event ',
        h('code', null, delivery.eventType),
        ' to ',
        h('span', { class: 'url' }, url),
      ],
    }),
    h(
      'div',
      { class: 'toolbar' },
      live.resend,
      button('Refresh', () => context.refresh()),
      live.resendHint,
    ),
    section('Summary', live.facts),
    section('Attempts, latest first', live.attempts),
  );
}
