/**
 * The wake-up that lets a delivery start within milliseconds of its commit instead of waiting
 * for a poll. In one process it is an event emitter; on PostgreSQL the same signal also travels
 * between processes as a NOTIFY sent inside the committing transaction.
 */
import { EventEmitter } from 'node:events';

/** The NOTIFY channel dispatchers LISTEN on. */
export const DELIVERY_CHANNEL = 'lyceum_deliveries';

export class DeliverySignal {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Announces committed work. */
  notify(): void {
    this.emitter.emit('work');
  }

  /** Calls `listener` on every announcement; returns a function that stops it. */
  subscribe(listener: () => void): () => void {
    this.emitter.on('work', listener);
    return () => this.emitter.off('work', listener);
  }
}
