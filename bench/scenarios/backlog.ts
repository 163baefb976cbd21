/**
 * Backlog: the dispatcher's throughput and resident memory with a huge backlog of due
 * deliveries against a small one, each seeded in bulk SQL. Both runs deliver for the same
 * slice of time after the same warm-up; the small backlog is made due again whenever it runs
 * dry, so that both processes do the same kind of work for as long.
 */
import type { DialectName } from '../../src/db/database.js';
import type { BenchOptions } from '../options.js';
import type { DrainResult } from '../processes/lyceum-dispatcher.js';
import type { ReceiverUrls } from '../processes/receivers.js';
import { formatNumber, type Row, rateRow } from '../report/table.js';
import type { BenchProcess } from '../support/ipc.js';
import { engineName, withLyceum } from '../support/lyceum-rig.js';
import { seedBacklog } from '../support/seed-backlog.js';

interface Drain {
  rate: number;
  peakRssMiB: number;
}

async function drain(
  options: BenchOptions,
  urls: string[],
  dialect: DialectName,
  size: 'big' | 'small',
): Promise<Drain> {
  const backlog = options.backlog;
  const deliveries = size === 'big' ? backlog.big : backlog.small;
  return withLyceum(
    options,
    {
      dialect,
      urls,
      label: `backlog-${size}-${dialect}`,
      // The backlog is the whole table, and making it due again rewrites every row.
      history: false,
      prepare: (rig) => seedBacklog(rig.testDatabase.database, rig.endpoints, deliveries),
    },
    async (rig) => {
      const result = await rig.dispatcher.call<DrainResult>('drain', {
        warmup: backlog.warmup,
        sliceMs: backlog.sliceMs,
        slices: options.repeats,
        refill: size === 'small',
      });
      // The best slice, as for the other throughputs: noise from other work only lowers a rate.
      return { rate: Math.max(...result.ratesPerSecond), peakRssMiB: result.peakRssMiB };
    },
  );
}

/** The backlog rows per engine: throughput, and peak resident memory of the dispatcher. */
export async function backlogFigures(
  options: BenchOptions,
  _receivers: BenchProcess,
  urls: ReceiverUrls,
): Promise<Row[]> {
  const { big, small, sliceMs } = options.backlog;
  const bigText = big.toLocaleString('en-US');
  const smallText = small.toLocaleString('en-US');
  const rows: Row[] = [];
  for (const dialect of options.dialects) {
    const engine = engineName(dialect);
    const smallRun = await drain(options, urls.healthy, dialect, 'small');
    const bigRun = await drain(options, urls.healthy, dialect, 'big');
    const ratio = bigRun.peakRssMiB / smallRun.peakRssMiB;
    rows.push(
      rateRow(
        `Backlog deliveries/s, ${engine}: ${bigText} due vs ${smallText} due (best ${sliceMs / 1000} s slice)`,
        bigRun.rate,
        smallRun.rate,
        '/s',
        0.8,
      ),
      {
        figure: `Backlog dispatcher peak RSS, ${engine}: ${bigText} due vs ${smallText} due`,
        lyceum: `${formatNumber(bigRun.peakRssMiB)} MiB`,
        baseline: `${formatNumber(smallRun.peakRssMiB)} MiB`,
        ratio,
        goal: '≤ 1.2× (flat)',
        met: ratio <= 1.2,
      },
    );
  }
  return rows;
}
