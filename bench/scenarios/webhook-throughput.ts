/**
 * Webhook throughput: N events, each fanned out to every receiver, from the first commit to
 * the last 2xx with every attempt recorded. Lyceum on each engine against (a) plain undici
 * POSTs of the same signed bodies with nothing stored and (b) a BullMQ queue on Redis whose
 * worker signs and POSTs. Same receivers, same concurrency.
 */
import { generateSecret } from '../../src/webhooks/signing.js';
import { REDIS_URL } from '../../test/support/services.js';
import type { BenchOptions } from '../options.js';
import type { BurstResult } from '../processes/lyceum-dispatcher.js';
import type { ReceiverStats, ReceiverUrls } from '../processes/receivers.js';
import { costRow, type Row, rateRow } from '../report/table.js';
import { describeParts, measureCpu } from '../support/cpu-time.js';
import { BenchProcess } from '../support/ipc.js';
import { engineName, type LyceumRig, withLyceum } from '../support/lyceum-rig.js';

/** One measured burst of one system. */
interface Measured {
  /** Deliveries per second. */
  rate: number;
  /** CPU microseconds per delivery of the sending side (see each system's scope). */
  cpuMicros: number;
}

/** The measurement of `deliveries` deliveries that took `elapsedMs` and `cpuMs`. */
function measured(deliveries: number, elapsedMs: number, cpuMs: number): Measured {
  return { rate: (deliveries * 1000) / elapsedMs, cpuMicros: (cpuMs * 1000) / deliveries };
}

/** Checks that each receiver got exactly its share, so a rate never hides lost requests. */
export async function expectReceived(receivers: BenchProcess, perReceiver: number): Promise<void> {
  const stats = await receivers.call<ReceiverStats>('stats');
  const wrong = stats.received.filter((count) => count !== perReceiver);
  if (wrong.length > 0) {
    throw new Error(
      `receivers got ${stats.received.join(', ')} requests, expected ${perReceiver} each`,
    );
  }
}

async function undiciRate(
  options: BenchOptions,
  receivers: BenchProcess,
  urls: string[],
): Promise<Measured> {
  const { events, warmupEvents } = options.throughput;
  const sender = BenchProcess.start('undici-sender');
  try {
    const targets = urls.map((url) => ({ url, secret: generateSecret() }));
    await sender.call('ready');
    const concurrency = options.concurrency;
    await sender.call('burst', { targets, events: warmupEvents, concurrency });
    await receivers.call('reset', { stamp: false });
    const { result, cpuMs } = await measureCpu({ pids: [sender.pid] }, () =>
      sender.call<{ elapsedMs: number }>('burst', {
        targets,
        events,
        concurrency: options.concurrency,
      }),
    );
    await expectReceived(receivers, events);
    return measured(events * urls.length, result.elapsedMs, cpuMs);
  } finally {
    await sender.stop();
  }
}

/** A queue name of its own, so a run never meets another run's jobs. */
export function uniqueQueueName(purpose: string): string {
  return `lyceum-bench-${purpose}-${process.pid}-${Date.now()}`;
}

async function bullmqRate(
  options: BenchOptions,
  receivers: BenchProcess,
  urls: string[],
): Promise<Measured> {
  const { events, writers, warmupEvents } = options.throughput;
  const queue = BenchProcess.start('bullmq-queue');
  try {
    await queue.call('open', {
      redisUrl: REDIS_URL,
      queueName: uniqueQueueName('throughput'),
      targets: urls.map((url) => ({ url, secret: generateSecret() })),
      concurrency: options.concurrency,
    });
    await queue.call('burst', { events: warmupEvents, writers });
    await receivers.call('reset', { stamp: false });
    const { result, cpuMs } = await measureCpu({ pids: [queue.pid], names: ['redis-server'] }, () =>
      queue.call<{ elapsedMs: number }>('burst', { events, writers }),
    );
    await queue.call('close');
    await expectReceived(receivers, events);
    return measured(events * urls.length, result.elapsedMs, cpuMs);
  } finally {
    await queue.stop();
  }
}

async function lyceumRate(
  options: BenchOptions,
  receivers: BenchProcess,
  urls: string[],
  dialect: 'sqlite' | 'postgres',
): Promise<Measured> {
  const { events, writers } = options.throughput;
  const expected = events * urls.length;
  const split = dialect === 'postgres';
  const request = { dialect, urls, label: `throughput-${dialect}`, split };
  return withLyceum(options, request, async (rig) => {
    const warmedUp = await warmUp(options, rig, receivers, urls.length);
    const scope = split
      ? { pids: [rig.committer.pid, rig.dispatcher.pid], labels: ['API', 'dispatcher'] }
      : { pids: [rig.dispatcher.pid], labels: ['serve'] };
    const {
      result: elapsedMs,
      cpuMs,
      parts,
    } = await measureCpu({ ...scope, names: split ? ['postgres'] : [] }, () =>
      split
        ? splitBurst(rig, { events, writers }, expected)
        : burst(rig, { events, writers }, expected),
    );
    const recorded = await rig.dispatcher.call<number>('recordedSuccesses');
    if (recorded !== warmedUp + expected) {
      throw new Error(`${recorded} attempts recorded, expected ${warmedUp + expected}`);
    }
    await expectReceived(receivers, events);
    process.stderr.write(
      `bench: Lyceum on ${rig.dialect}, CPU per delivery: ${describeParts(parts, expected)}\n`,
    );
    return measured(expected, elapsedMs, cpuMs);
  });
}

/** How many events a burst commits, and from how many writers at once. */
export interface BurstSize {
  events: number;
  writers: number;
}

/**
 * The unmeasured burst of `options.throughput.warmupEvents` a rig delivers before it is measured,
 * each event to `receiving` receivers that answer; the receivers' counts are reset afterwards.
 * Answers how many successful deliveries it made.
 */
export async function warmUp(
  options: BenchOptions,
  rig: LyceumRig,
  receivers: BenchProcess,
  receiving: number,
): Promise<number> {
  const { warmupEvents: events, writers } = options.throughput;
  const expected = events * receiving;
  if (rig.committer === rig.dispatcher) await burst(rig, { events, writers }, expected);
  else await splitBurst(rig, { events, writers }, expected, { quiet: true });
  await receivers.call('reset', { stamp: false });
  return expected;
}

/** One process commits and dispatches; from the first commit to the last recorded success. */
export async function burst(rig: LyceumRig, size: BurstSize, expected: number): Promise<number> {
  const result = await rig.dispatcher.call<BurstResult>('burst', { ...size, expected });
  return result.elapsedMs;
}

/**
 * An API-like process commits, the dispatcher process delivers; the same span. Says how long
 * committing took unless `quiet` (a warm-up).
 */
export async function splitBurst(
  rig: LyceumRig,
  size: BurstSize,
  expected: number,
  { quiet = false } = {},
): Promise<number> {
  await rig.dispatcher.call('start');
  const done = rig.dispatcher.call<{ at: number }>('waitForSuccesses', { count: expected });
  const committed = await rig.committer.call<{ startedAt: number; commitMs: number }>(
    'commitBurst',
    size,
  );
  const elapsedMs = (await done).at - committed.startedAt;
  if (quiet) return elapsedMs;
  process.stderr.write(
    `bench: Lyceum on ${rig.dialect}, API and dispatcher processes: ${expected} deliveries in ` +
      `${elapsedMs.toFixed(0)} ms, committing the events took ${committed.commitMs.toFixed(0)} ms\n`,
  );
  return elapsedMs;
}

/** The throughput rows: per engine, Lyceum against each baseline, best of the runs of each. */
export async function throughputFigures(
  options: BenchOptions,
  receivers: BenchProcess,
  urls: ReceiverUrls,
): Promise<Row[]> {
  const healthy = urls.healthy;
  const best = new Map<string, Measured>();
  const keep = (system: string, run: Measured) => {
    const before = best.get(system);
    // The best rate, and separately the lowest cost: each is the run least disturbed.
    best.set(system, {
      rate: Math.max(before?.rate ?? 0, run.rate),
      cpuMicros: Math.min(before?.cpuMicros ?? Number.POSITIVE_INFINITY, run.cpuMicros),
    });
  };
  // Interleaved, so that a burst of other work on the machine hits one run of each, not all
  // runs of one system.
  for (let run = 0; run < options.repeats; run++) {
    keep('undici', await undiciRate(options, receivers, healthy));
    keep('bullmq', await bullmqRate(options, receivers, healthy));
    for (const dialect of options.dialects) {
      keep(dialect, await lyceumRate(options, receivers, healthy, dialect));
    }
  }

  const { events, writers } = options.throughput;
  const size = `${events.toLocaleString('en-US')} events from ${writers} writers × ${healthy.length} receivers`;
  const physical = best.get('undici') as Measured;
  const bullmq = best.get('bullmq') as Measured;
  return options.dialects.flatMap((dialect) => {
    const engine = engineName(dialect);
    const ours = best.get(dialect) as Measured;
    const scope =
      dialect === 'sqlite'
        ? 'the one process that commits and dispatches'
        : 'API and dispatcher processes and the PostgreSQL server';
    return [
      rateRow(
        `Webhook deliveries/s, ${engine}, vs (a) bare undici POSTs (${size})`,
        ours.rate,
        physical.rate,
        '/s',
        0.5,
      ),
      rateRow(
        `Webhook deliveries/s, ${engine}, vs (b) BullMQ on Redis (${size})`,
        ours.rate,
        bullmq.rate,
        '/s',
        1.0,
      ),
      costRow(
        `CPU per delivery, ${engine} (${scope}) vs (a) the undici sender process`,
        ours.cpuMicros,
        physical.cpuMicros,
        'µs',
      ),
      costRow(
        `CPU per delivery, ${engine} (${scope}) vs (b) the BullMQ process and Redis`,
        ours.cpuMicros,
        bullmq.cpuMicros,
        'µs',
      ),
    ];
  });
}
