/**
 * The webhook dispatcher: claims due deliveries, sends them with bounded concurrency and
 * records each outcome.
 *
 * It works on wake-ups rather than a poll interval: a committed delivery signals it, a
 * finished attempt frees a slot and wakes it, and one timer is armed for the earliest retry
 * that is not yet due. A slow fallback poll catches what no signal announces here: leases that
 * ran out in a crashed process and work committed by other processes.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setImmediate as afterPendingCallbacks } from 'node:timers/promises';
import type { AppContext } from '../context.js';
import { toError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { AddressGuard } from './address-guard.js';
import { AttemptRecorder } from './attempt-recorder.js';
import {
  type ClaimedDelivery,
  claimDueDeliveries,
  type DeliveryRow,
  type DeliveryTarget,
  nextDueAt,
  releaseLeases,
} from './claim.js';
import { type AttemptServices, attemptDelivery, type DeliverySender } from './delivery-attempt.js';
import { notifyDispatchers } from './postgres-wakeups.js';
import { WebhookSender } from './sender.js';

/** What a test or an embedding process may substitute. */
export interface DispatcherOptions {
  /** The HTTP sender; one built from the configuration when omitted (and closed on stop). */
  sender?: DeliverySender;
  /** Jitter source for retries; tests pass a constant. */
  random?: () => number;
  /** How often to look for work no signal announced. */
  pollIntervalMs?: number;
}

/** One process's dispatcher: `start()` it to deliver in the background, `stop()` to hand back. */
export class Dispatcher {
  /** The lease owner id of this dispatcher, unique per process and start. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly services: AttemptServices;
  /** The sender this dispatcher built, and so closes. */
  private readonly ownSender: WebhookSender | undefined;
  private readonly pollIntervalMs: number;
  private readonly log: Logger;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private timer: NodeJS.Timeout | undefined;
  /** Set while a busy dispatcher waits a moment for more free slots before it claims. */
  private batchTimer: NodeJS.Timeout | undefined;
  /** Set once that wait is over: the next claim goes ahead with whatever slots are free. */
  private batchWaitOver = false;
  private unsubscribe: (() => void) | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly context: AppContext,
    options: DispatcherOptions = {},
  ) {
    let sender = options.sender;
    if (!sender) {
      this.ownSender = buildSender(context);
      sender = this.ownSender;
    }
    this.pollIntervalMs = options.pollIntervalMs ?? context.config.webhooks.pollIntervalMs;
    this.log = context.logger.child({ component: 'dispatcher' });
    this.services = {
      context,
      sender,
      owner: this.owner,
      recorder: new AttemptRecorder(context, options.random ?? Math.random),
    };
  }

  /** Starts claiming and sending in the background. */
  start(): void {
    if (this.running || this.stopping) return;
    this.running = true;
    this.unsubscribe = this.context.deliverySignal.subscribe(() => this.wake());
    const { concurrency, perEndpointConcurrency, failingEndpointConcurrency, leaseMs, timeoutMs } =
      this.context.config.webhooks;
    this.log.info(
      { owner: this.owner, concurrency, perEndpointConcurrency, failingEndpointConcurrency },
      'dispatcher started',
    );
    if (leaseMs <= timeoutMs) {
      this.log.warn(
        { leaseMs, timeoutMs },
        'LYCEUM_DISPATCHER_LEASE is not longer than LYCEUM_WEBHOOK_TIMEOUT: a slow attempt can outlive its lease and be sent twice; make the lease longer',
      );
    }
    this.wake();
  }

  /**
   * Stops claiming, waits up to `graceMs` for attempts in flight, then hands the leases of
   * whatever is unfinished back to the queue so another dispatcher sends it without waiting
   * for the lease to run out. An attempt that finishes after that records nothing.
   */
  stop(graceMs = shutdownGrace(this.context)): Promise<void> {
    this.stopping ??= this.shutDown(graceMs);
    return this.stopping;
  }

  private async shutDown(graceMs: number): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    clearTimeout(this.batchTimer);
    await this.pumping;

    const finished = await settleWithin([...this.inFlight], graceMs);
    if (finished) {
      await this.ownSender?.close();
    } else {
      const released = await this.handBack();
      // What is still open would record nothing now that its lease is gone: abort it rather
      // than wait for answers. Its (discarded) write must still not outlive the database.
      await this.ownSender?.destroy();
      await settleWithin([...this.inFlight], graceMs);
      // Only now tell the other dispatchers: each aborted attempt's record locks its delivery
      // for a moment before it finds the lease gone, and a claim made in that moment skips the
      // delivery and then sleeps until its next poll.
      if (released > 0) await this.wakeOthers();
    }
    this.log.info('dispatcher stopped');
  }

  /** Releases the leases of unfinished attempts; resolves with how many it released. */
  private async handBack(): Promise<number> {
    try {
      const released = await releaseLeases(this.context.database, this.owner);
      this.log.info({ released }, 'released the leases of unfinished attempts');
      return released;
    } catch (error) {
      this.log.warn({ err: toError(error) }, 'could not release leases; they will run out');
      return 0;
    }
  }

  /** Tells the dispatchers of other processes that handed-back work is due. */
  private async wakeOthers(): Promise<void> {
    try {
      await notifyDispatchers(this.context.database);
    } catch (error) {
      this.log.warn(
        { err: toError(error) },
        'could not wake the other dispatchers; they take the released work at their next poll',
      );
    }
  }

  /**
   * Claims and processes everything due now, waiting for every attempt; resolves with how many
   * deliveries it took. For tests that drive time with a ManualClock instead of calling start().
   */
  async runDue(): Promise<number> {
    let processed = 0;
    for (;;) {
      const claimed = await this.claim();
      this.launchAll(claimed);
      processed += claimed.length;
      if (claimed.length > 0) continue;
      if (this.inFlight.size === 0) return processed;
      await Promise.race(this.inFlight);
    }
  }

  /** Runs a claim round now, or right after the one in progress. */
  private wake(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.wake();
      }
    });
  }

  /** Claims while slots are free and work is due, then sleeps until the next due retry. */
  private async pump(): Promise<void> {
    try {
      // Attempts recorded in one batch end together: let all of them free their slots, so that
      // one claim refills them all.
      await afterPendingCallbacks();
      for (;;) {
        if (!this.running) return;
        // The attempt that frees the next slot wakes the pump again, or the batch timer does.
        if (this.waitForMoreSlots()) return;
        const claimed = await this.claim();
        this.launchAll(claimed);
        if (claimed.length === 0) break;
      }
      await this.armTimer();
    } catch (error) {
      this.log.warn(
        { err: toError(error) },
        'could not claim webhook deliveries; trying again at the next poll',
      );
      this.schedule(this.pollIntervalMs);
    }
  }

  /**
   * Whether to let a busy dispatcher's free slots add up before claiming. A claim costs about
   * the same for one delivery as for dozens, and a dispatcher whose attempts end one by one
   * would otherwise claim for each: with most slots taken, it waits until a quarter of them
   * are free, or BATCH_WAIT_MS at most, whichever comes first. An idle or lightly loaded
   * dispatcher has free slots and claims at once, so latency below capacity is unchanged.
   */
  private waitForMoreSlots(): boolean {
    const { concurrency } = this.context.config.webhooks;
    const free = concurrency - this.inFlight.size;
    if (this.inFlight.size === 0 || free >= Math.ceil(concurrency / 4) || this.batchWaitOver) {
      this.batchWaitOver = false;
      clearTimeout(this.batchTimer);
      this.batchTimer = undefined;
      return false;
    }
    this.batchTimer ??= setTimeout(() => {
      this.batchTimer = undefined;
      this.batchWaitOver = true;
      this.wake();
    }, BATCH_WAIT_MS);
    return true;
  }

  /** Claims deliveries for the free slots, each with the event and endpoint it is sent to. */
  private async claim(): Promise<ClaimedDelivery[]> {
    const { concurrency, perEndpointConcurrency, failingEndpointConcurrency, leaseMs } =
      this.context.config.webhooks;
    const free = concurrency - this.inFlight.size;
    if (free <= 0) return [];
    return claimDueDeliveries(this.context, {
      owner: this.owner,
      limit: free,
      perEndpointLimit: perEndpointConcurrency,
      failingEndpointLimit: failingEndpointConcurrency,
      leaseMs,
    });
  }

  private launchAll(claimed: ClaimedDelivery[]): void {
    for (const { delivery, target } of claimed) this.launch(delivery, target);
  }

  /** Starts an attempt; when it ends its slot is free, so look for more work. */
  private launch(delivery: DeliveryRow, target: DeliveryTarget): void {
    const attempt = attemptDelivery(this.services, delivery, target).finally(() => {
      this.inFlight.delete(attempt);
      this.wake();
    });
    this.inFlight.add(attempt);
  }

  /** Sleeps until the earliest future retry, or the fallback poll if that comes first. */
  private async armTimer(): Promise<void> {
    const now = this.context.clock.now();
    const next = await nextDueAt(this.context.database, now);
    const untilNext = next === null ? this.pollIntervalMs : next - now;
    this.schedule(Math.max(0, Math.min(untilNext, this.pollIntervalMs)));
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (!this.running) return;
    this.timer = setTimeout(() => this.wake(), delayMs);
    // The HTTP server keeps a process alive; a dispatcher timer alone should not.
    this.timer.unref();
  }
}

/** How long a busy dispatcher waits at most for more free slots before it claims. */
const BATCH_WAIT_MS = 2;

/** The sender the configuration describes, checking addresses again at connect time. */
function buildSender(context: AppContext): WebhookSender {
  const settings = context.config.webhooks;
  return new WebhookSender({
    timeoutMs: settings.timeoutMs,
    responseBodyCapBytes: settings.responseBodyCapBytes,
    guard: new AddressGuard({ allowedCidrs: settings.allowedCidrs, allowHttp: settings.allowHttp }),
    clock: context.clock,
  });
}

/** The configured shutdown grace, or long enough for every attempt to end on its timeout. */
function shutdownGrace(context: AppContext): number {
  const { shutdownGraceMs, timeoutMs } = context.config.webhooks;
  return shutdownGraceMs ?? timeoutMs + 1000;
}

/** Whether every promise settled within `ms`. */
async function settleWithin(promises: Promise<void>[], ms: number): Promise<boolean> {
  if (promises.length === 0) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = Promise.allSettled(promises).then(() => true);
  const result = await Promise.race([settled, timeout]);
  clearTimeout(timer);
  return result;
}
