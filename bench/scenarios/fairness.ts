/**
 * Fairness: one endpoint that accepts connections and never answers is added to the healthy
 * ones. It may hold its share of the dispatcher's concurrency and no more: the healthy
 * endpoints' throughput must stay within 10% of a run without it.
 *
 * Each rig first delivers the throughput figure's warm-up burst, unmeasured.
 *
 * An endpoint that never answers has been failing for as long as it has been dead, so it is
 * stored as the dispatcher leaves such an endpoint: failing since ten minutes ago, which limits
 * it to LYCEUM_WEBHOOK_FAILING_ENDPOINT_CONCURRENCY attempts at once. (An endpoint that has just
 * died holds its full per-endpoint share until its first attempts time out and are recorded.)
 */
import type { DialectName } from '../../src/db/database.js';
import type { BenchOptions } from '../options.js';
import type { ReceiverUrls } from '../processes/receivers.js';
import { type Row, rateRow } from '../report/table.js';
import type { BenchProcess } from '../support/ipc.js';
import { engineName, withLyceum } from '../support/lyceum-rig.js';
import { burst, expectReceived, splitBurst, warmUp } from './webhook-throughput.js';

async function healthyRate(
  options: BenchOptions,
  receivers: BenchProcess,
  urls: ReceiverUrls,
  dialect: DialectName,
  withBlackHole: boolean,
): Promise<number> {
  const { events, timeoutMs } = options.fairness;
  const expected = events * urls.healthy.length;
  const all = withBlackHole && urls.blackHole ? [...urls.healthy, urls.blackHole] : urls.healthy;
  await receivers.call('reset', { stamp: false });
  const label = `fairness-${withBlackHole ? 'black-hole' : 'healthy'}-${dialect}`;
  return withLyceum(
    options,
    {
      dialect,
      urls: all,
      label,
      webhooks: { timeoutMs },
      // As in the throughput figure: an API process commits beside the dispatcher process.
      split: dialect === 'postgres',
      // Stopping gracefully would wait out the black hole's open requests; nothing is measured
      // then.
      graceful: !withBlackHole,
      prepare: withBlackHole
        ? async ({ testDatabase, endpoints }) => {
            const blackHole = endpoints.at(-1);
            if (!blackHole) return;
            await testDatabase.database.db
              .updateTable('webhook_endpoints')
              .set({ failing_since: Date.now() - 10 * 60_000 })
              .where('id', '=', blackHole.id)
              .execute();
          }
        : undefined,
    },
    async (rig) => {
      // Warmed up as the throughput figure is; with the black hole, its attempts of the warm-up
      // are still open or waiting for a retry when the measured burst starts, as in a running
      // installation.
      await warmUp(options, rig, receivers, urls.healthy.length);
      const elapsedMs =
        dialect === 'postgres'
          ? await splitBurst(rig, { events, writers: options.throughput.writers }, expected)
          : await burst(rig, { events, writers: options.throughput.writers }, expected);
      await expectReceived(receivers, events);
      return (expected * 1000) / elapsedMs;
    },
  );
}

/** The fairness row per engine, best of the runs with and without the black hole. */
export async function fairnessFigures(
  options: BenchOptions,
  receivers: BenchProcess,
  urls: ReceiverUrls,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const dialect of options.fairness.dialects) {
    let without = 0;
    let withBlackHole = 0;
    for (let run = 0; run < options.repeats; run++) {
      without = Math.max(without, await healthyRate(options, receivers, urls, dialect, false));
      withBlackHole = Math.max(
        withBlackHole,
        await healthyRate(options, receivers, urls, dialect, true),
      );
    }
    rows.push(
      rateRow(
        `Fairness, ${engineName(dialect)}: healthy deliveries/s with one never-answering endpoint (${options.fairness.timeoutMs / 1000} s timeout) vs without`,
        withBlackHole,
        without,
        '/s',
        0.9,
      ),
    );
  }
  return rows;
}
