/**
 * Following delivery outcomes for `lyceum tail --deliveries`. There is no feed of attempts, so
 * each poll reads, per endpoint, the newest deliveries and the pending ones, and fetches the
 * attempts of each delivery whose attempt count grew. Attempts made before the tail started
 * are not printed. A resend of a delivery older than an endpoint's newest hundred that finishes
 * between two polls is missed; an interactive tail accepts that rather than reading the whole
 * log every second.
 */
import type {
  DeliveriesGetResponse,
  Delivery,
  LyceumClient,
} from '../../packages/sdk/src/index.js';

const PAGE = 100;

/** Attempt outcomes, as they are found. */
export type AttemptSink = (
  delivery: DeliveriesGetResponse,
  attempt: DeliveriesGetResponse['attempts'][number],
  number: number,
) => void;

/** Remembers how many attempts of each delivery were already reported. */
export class DeliveryWatch {
  private readonly reported = new Map<string, number>();

  constructor(private readonly client: LyceumClient) {}

  /** Notes the attempts made so far as seen, so only later ones are reported. */
  async baseline(): Promise<void> {
    for (const delivery of await this.candidates()) {
      this.reported.set(delivery.id, delivery.attemptCount);
    }
  }

  /** Reports every attempt made since the last poll. */
  async poll(sink: AttemptSink): Promise<void> {
    for (const delivery of await this.candidates()) {
      const known = this.reported.get(delivery.id) ?? 0;
      if (delivery.attemptCount <= known) continue;
      const full = await this.client.deliveries.get(delivery.id);
      full.attempts.slice(known).forEach((attempt, index) => {
        sink(full, attempt, known + index + 1);
      });
      this.reported.set(delivery.id, full.attempts.length);
    }
  }

  private async candidates(): Promise<Delivery[]> {
    const found = new Map<string, Delivery>();
    for await (const endpoint of this.client.webhooks.list.all({ limit: PAGE })) {
      const [newest, pending] = await Promise.all([
        this.client.webhooks.deliveries(endpoint.id, { limit: PAGE }),
        this.client.webhooks.deliveries(endpoint.id, { limit: PAGE, status: 'pending' }),
      ]);
      for (const delivery of [...newest.data, ...pending.data]) found.set(delivery.id, delivery);
    }
    // Oldest first, so the lines come out in the order the deliveries were made.
    return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}
