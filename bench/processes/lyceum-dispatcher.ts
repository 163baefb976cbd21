/**
 * Lyceum's side of the webhook benchmarks: the real Dispatcher over a real database, in a
 * process of its own so that its CPU time and resident memory are its own. Events are
 * committed through the outbox as an API request would, and every attempt is recorded before
 * it counts.
 *
 * Two shapes: one process that commits and dispatches (the embedded default, `serve` with both
 * roles), or, on PostgreSQL, one process that only commits (an API process) beside one that
 * only dispatches and is woken by LISTEN/NOTIFY (a dispatcher process).
 */
import { pino } from 'pino';
import { loadConfig, type WebhookSettings } from '../../src/config.js';
import { type AppContext, createContext } from '../../src/context.js';
import { openDatabase } from '../../src/db/database.js';
import type { PostgresListener } from '../../src/db/postgres/listener.js';
import { transact } from '../../src/db/transaction.js';
import { recordEvent } from '../../src/events/outbox.js';
import { createLogger } from '../../src/shared/logger.js';
import { Dispatcher } from '../../src/webhooks/dispatcher.js';
import { startDeliveryWakeups } from '../../src/webhooks/postgres-wakeups.js';
import { serveCommands } from '../support/ipc.js';
import { sharedNow } from '../support/now.js';
import { pace } from '../support/pacer.js';
import { RssSampler } from '../support/rss.js';
import { writeConcurrently } from '../support/writers.js';

/** How to open the process. */
export interface DispatcherSetup {
  databaseUrl: string;
  webhooks: Partial<WebhookSettings>;
  /** Listen for deliveries committed by other processes (PostgreSQL). */
  wakeups?: boolean;
}

/** A burst of events committed as fast as the writers can. */
export interface BurstResult {
  /** From the first commit to the last expected success recorded. */
  elapsedMs: number;
  /** How long committing the events took. */
  commitMs: number;
  peakRssMiB: number;
}

/** One drain of a seeded backlog. */
export interface DrainResult {
  /** Deliveries per second within each measured slice. */
  ratesPerSecond: number[];
  peakRssMiB: number;
}

let context: AppContext;
let dispatcher: Dispatcher;
let wakeups: PostgresListener | undefined;
let succeeded = 0;
const waiters: Array<{ count: number; resolve: () => void }> = [];

function openContext(setup: DispatcherSetup): AppContext {
  const config = loadConfig({
    DATABASE_URL: setup.databaseUrl,
    LYCEUM_WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
    LYCEUM_WEBHOOK_ALLOW_HTTP: 'true',
  });
  config.webhooks = { ...config.webhooks, ...setup.webhooks };
  // The level a production process runs at; the lines go nowhere so they cost what they cost.
  const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: false }));
  // Opened as `lyceum serve` opens it.
  const database = openDatabase(config.database, { backgroundCheckpoints: true });
  return createContext({ config, database, logger });
}

/** Counts recorded successes by watching the metric the dispatcher updates after recording. */
function countSuccesses(target: AppContext): void {
  const metrics = target.metrics;
  const original = metrics.attemptFinished.bind(metrics);
  metrics.attemptFinished = (outcome, durationMs) => {
    original(outcome, durationMs);
    if (outcome !== 'succeeded') return;
    succeeded += 1;
    for (const waiter of waiters.filter((w) => succeeded >= w.count)) waiter.resolve();
  };
}

function successesReach(count: number): Promise<void> {
  if (succeeded >= count) return Promise.resolve();
  return new Promise((resolve) => waiters.push({ count, resolve }));
}

async function commitEvent(): Promise<string> {
  const event = await transact(context.database, (write) =>
    recordEvent(context, write, 'user.created', { userId: context.ids.next('user') }),
  );
  return event.id;
}

serveCommands({
  async open(setup: DispatcherSetup): Promise<null> {
    context = openContext(setup);
    countSuccesses(context);
    dispatcher = new Dispatcher(context);
    if (setup.wakeups) wakeups = await startDeliveryWakeups(context);
    return null;
  },

  /** Starts dispatching, for a process that does not commit (see `commitBurst`). */
  start(): null {
    dispatcher.start();
    return null;
  },

  /** Commits `events` from `writers` writers without dispatching; stamps when it began. */
  async commitBurst(request: {
    events: number;
    writers: number;
  }): Promise<{ startedAt: number; commitMs: number }> {
    const startedAt = sharedNow();
    await writeConcurrently(request.events, request.writers, commitEvent);
    return { startedAt, commitMs: sharedNow() - startedAt };
  },

  /** Commits at a steady rate without dispatching; stamps each event as `paced` does. */
  async commitPaced(request: {
    rate: number;
    durationMs: number;
  }): Promise<Array<[string, number]>> {
    const commits: Array<[string, number]> = [];
    await pace(request.rate, request.durationMs, async () => {
      const stamp = sharedNow();
      commits.push([await commitEvent(), stamp]);
    });
    return commits;
  },

  /** Resolves once `count` more successes are recorded, with when the last one was. */
  async waitForSuccesses(request: { count: number }): Promise<{ at: number; peakRssMiB: number }> {
    const rss = new RssSampler();
    await successesReach(succeeded + request.count);
    const at = sharedNow();
    rss.stop();
    return { at, peakRssMiB: rss.peakMiB() };
  },

  async burst(request: {
    events: number;
    writers: number;
    expected: number;
  }): Promise<BurstResult> {
    const rss = new RssSampler();
    const before = succeeded;
    dispatcher.start();
    const started = performance.now();
    await writeConcurrently(request.events, request.writers, commitEvent);
    const commitMs = performance.now() - started;
    await successesReach(before + request.expected);
    const elapsedMs = performance.now() - started;
    rss.stop();
    return { elapsedMs, commitMs, peakRssMiB: rss.peakMiB() };
  },

  async paced(request: {
    rate: number;
    durationMs: number;
    perEvent: number;
  }): Promise<Array<[string, number]>> {
    dispatcher.start();
    const commits: Array<[string, number]> = [];
    const sent = await pace(request.rate, request.durationMs, async () => {
      const stamp = sharedNow();
      commits.push([await commitEvent(), stamp]);
    });
    await successesReach(sent * request.perEvent);
    return commits;
  },

  /**
   * Starts the dispatcher on a seeded backlog, leaves out the first `warmup` deliveries, then
   * counts deliveries in `slices` consecutive slices of `sliceMs`. With `refill`, the backlog
   * is made due again each time it is empty, so a small backlog stays small for the whole run
   * and the process does as much work, for as long, as with a large one.
   */
  async drain(request: {
    warmup: number;
    sliceMs: number;
    slices: number;
    refill: boolean;
  }): Promise<DrainResult> {
    const total = await dueCount();
    const rss = new RssSampler();
    let measuring = true;
    const refill = async () => {
      for (let target = total; measuring; target += total) {
        await successesReach(target);
        if (measuring) await requeueAll();
      }
    };
    dispatcher.start();
    if (request.refill) void refill();
    await successesReach(request.warmup);

    const ratesPerSecond: number[] = [];
    for (let slice = 0; slice < request.slices; slice++) {
      const from = { at: performance.now(), count: succeeded };
      const elapsed = new Promise((resolve) => setTimeout(resolve, request.sliceMs));
      await (request.refill ? elapsed : Promise.race([elapsed, successesReach(total)]));
      ratesPerSecond.push(((succeeded - from.count) * 1000) / (performance.now() - from.at));
    }
    measuring = false;
    rss.stop();
    return { ratesPerSecond, peakRssMiB: rss.peakMiB() };
  },

  /** Successful attempts recorded in the database, to check that every one was written. */
  async recordedSuccesses(): Promise<number> {
    const row = await context.database.db
      .selectFrom('delivery_attempts')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('status_code', '=', 200)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  },

  async close(): Promise<null> {
    await dispatcher.stop();
    await wakeups?.stop();
    await context.database.close();
    return null;
  },
});

async function dueCount(): Promise<number> {
  const row = await context.database.db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Makes every delivery due again, as if the same backlog had just built up. */
async function requeueAll(): Promise<void> {
  const now = context.clock.now();
  await context.database.db
    .updateTable('deliveries')
    .set({ status: 'pending', next_attempt_at: now, attempt_count: 0, updated_at: now })
    .execute();
  context.deliverySignal.notify();
}
