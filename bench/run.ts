/**
 * `npm run bench [-- --quick] [-- --only rest,latency] [-- --cpu-prof <dir>]`: measures every
 * figure against its baseline in the same run, prints one Markdown table and writes it into
 * docs/performance.md.
 */
import { loadavg } from 'node:os';
import { toError } from '../src/shared/errors.js';
import { type BenchOptions, parseOptions } from './options.js';
import type { ReceiverUrls } from './processes/receivers.js';
import { describeEnvironment, describeRun } from './report/machine.js';
import { writeResults } from './report/performance-doc.js';
import { failedRow, markdownTable, type Row } from './report/table.js';
import { backlogFigures } from './scenarios/backlog.js';
import { fairnessFigures } from './scenarios/fairness.js';
import { latencyFigures } from './scenarios/latency.js';
import { restFigures } from './scenarios/rest.js';
import { throughputFigures } from './scenarios/webhook-throughput.js';
import { BenchProcess } from './support/ipc.js';

type Figures = (
  options: BenchOptions,
  receivers: BenchProcess,
  urls: ReceiverUrls,
) => Promise<Row[]>;

const FIGURES: Array<{ name: string; run: Figures }> = [
  { name: 'rest', run: (options) => restFigures(options) },
  { name: 'throughput', run: throughputFigures },
  { name: 'latency', run: latencyFigures },
  { name: 'backlog', run: backlogFigures },
  { name: 'fairness', run: fairnessFigures },
];

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const command = `npm run bench${options.quick ? ' -- --quick' : ''}`;
  const environment = await describeEnvironment();
  const started = performance.now();

  const receivers = BenchProcess.start('receivers');
  const urls = await receivers.call<ReceiverUrls>('start', {
    healthy: options.receivers,
    blackHole: true,
  });
  const rows: Row[] = [];
  try {
    for (const figure of FIGURES) {
      if (options.only.length > 0 && !options.only.includes(figure.name)) continue;
      const figureStarted = performance.now();
      try {
        rows.push(...(await figure.run(options, receivers, urls)));
      } catch (error) {
        process.stderr.write(`bench: ${figure.name} failed: ${toError(error).stack}\n`);
        rows.push(failedRow(figure.name, toError(error)));
      }
      const seconds = ((performance.now() - figureStarted) / 1000).toFixed(1);
      process.stderr.write(`bench: ${figure.name} done in ${seconds} s\n`);
    }
  } finally {
    await receivers.call('close').catch(() => {});
    await receivers.stop();
  }

  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  const header = describeRun(environment, command, loadavg()[0] ?? 0);
  const output = `${header}\n- Duration: ${minutes} min\n\n${markdownTable(rows)}`;
  process.stdout.write(`${output}\n`);
  if (options.only.length === 0 && !options.cpuProfileDir) writeResults(output);
}

await main();
