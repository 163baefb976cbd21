/**
 * Latency from commit to receiver at a steady offered rate well under capacity. The committing
 * process stamps each event just before its commit (or enqueue) starts, the receiver stamps its
 * arrival, both on the shared clock; the first arrival of each event counts.
 */
import { generateSecret } from '../../src/webhooks/signing.js';
import { REDIS_URL } from '../../test/support/services.js';
import type { BenchOptions } from '../options.js';
import type { ReceiverStats, ReceiverUrls } from '../processes/receivers.js';
import { formatNumber, type Row } from '../report/table.js';
import { BenchProcess } from '../support/ipc.js';
import { engineName, withLyceum } from '../support/lyceum-rig.js';
import { uniqueQueueName } from './webhook-throughput.js';

interface Percentiles {
  p50: number;
  p99: number;
}

/** The value at `fraction` of the sorted samples (nearest rank). */
export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? Number.NaN;
}

/**
 * The latencies of the events committed after the warm-up, matched to their first arrival. The
 * first second or two of a fresh process (connections opening, code being compiled) is left
 * out, as it would be in a process that has been running.
 */
async function latencies(
  receivers: BenchProcess,
  all: Array<[string, number]>,
  warmupMs: number,
): Promise<Percentiles> {
  const firstStamp = Math.min(...all.map(([, stamp]) => stamp));
  const commits = all.filter(([, stamp]) => stamp >= firstStamp + warmupMs);
  const { arrivals } = await receivers.call<ReceiverStats>('stats');
  const firstArrival = new Map<string, number>();
  for (const [id, at] of arrivals) if (!firstArrival.has(id)) firstArrival.set(id, at);

  const samples: number[] = [];
  for (const [id, committedAt] of commits) {
    const arrivedAt = firstArrival.get(id);
    if (arrivedAt === undefined) throw new Error(`event ${id} never reached the receiver`);
    samples.push(arrivedAt - committedAt);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

async function lyceumLatency(
  options: BenchOptions,
  receivers: BenchProcess,
  url: string,
  dialect: 'sqlite' | 'postgres',
): Promise<Percentiles> {
  await receivers.call('reset', { stamp: true });
  const split = dialect === 'postgres';
  const request = { dialect, urls: [url], label: `latency-${dialect}`, split };
  const { rate, durationMs, warmupMs } = options.latency;
  const load = { rate, durationMs: durationMs + warmupMs };
  return withLyceum(options, request, async (rig) => {
    if (!split) {
      const commits = await rig.dispatcher.call<Array<[string, number]>>('paced', {
        ...load,
        perEvent: 1,
      });
      return latencies(receivers, commits, warmupMs);
    }
    await rig.dispatcher.call('start');
    const count = Math.round((load.rate * load.durationMs) / 1000);
    const done = rig.dispatcher.call('waitForSuccesses', { count });
    const commits = await rig.committer.call<Array<[string, number]>>('commitPaced', load);
    await done;
    return latencies(receivers, commits, warmupMs);
  });
}

async function bullmqLatency(
  options: BenchOptions,
  receivers: BenchProcess,
  url: string,
): Promise<Percentiles> {
  await receivers.call('reset', { stamp: true });
  const queue = BenchProcess.start('bullmq-queue');
  try {
    await queue.call('open', {
      redisUrl: REDIS_URL,
      queueName: uniqueQueueName('latency'),
      targets: [{ url, secret: generateSecret() }],
      concurrency: options.concurrency,
    });
    const { rate, durationMs, warmupMs } = options.latency;
    const enqueued = await queue.call<Array<[string, number]>>('paced', {
      rate,
      durationMs: durationMs + warmupMs,
    });
    await queue.call('close');
    return latencies(receivers, enqueued, warmupMs);
  } finally {
    await queue.stop();
  }
}

function latencyRow(figure: string, lyceum: number, baseline: number, below: number): Row {
  return {
    figure,
    lyceum: `${formatNumber(lyceum)} ms`,
    baseline: `${formatNumber(baseline)} ms`,
    ratio: lyceum / baseline,
    goal: `< ${below} ms`,
    met: lyceum < below,
  };
}

/** The latency rows: p50 and p99 per engine, BullMQ at the same rate as the baseline. */
export async function latencyFigures(
  options: BenchOptions,
  receivers: BenchProcess,
  urls: ReceiverUrls,
): Promise<Row[]> {
  const url = urls.healthy[0];
  if (!url) throw new Error('the latency figure needs a receiver');
  const bullmq = await bullmqLatency(options, receivers, url);
  const load = `${options.latency.rate} events/s for ${options.latency.durationMs / 1000} s, baseline BullMQ`;

  const rows: Row[] = [];
  for (const dialect of options.dialects) {
    const lyceum = await lyceumLatency(options, receivers, url, dialect);
    const engine = engineName(dialect);
    rows.push(
      latencyRow(`Latency commit → receiver p50, ${engine} (${load})`, lyceum.p50, bullmq.p50, 10),
      latencyRow(`Latency commit → receiver p99, ${engine} (${load})`, lyceum.p99, bullmq.p99, 50),
    );
  }
  return rows;
}
