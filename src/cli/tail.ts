/**
 * `lyceum tail`: prints events as they happen, by polling the event feed from its current end
 * with its cursor, and with `--deliveries` the outcome of every delivery attempt. Runs until
 * Ctrl-C.
 */
import { Command } from 'commander';
import { LYCEUM_EVENT_TYPES } from '../../packages/sdk/src/index.js';
import { DeliveryWatch } from './delivery-watch.js';
import {
  parseInstant,
  type RemoteOptions,
  remoteClient,
  withRemoteOptions,
} from './remote-client.js';
import { attemptLine, eventLine } from './tail-lines.js';
import { UsageError } from './usage-error.js';

interface TailOptions extends RemoteOptions {
  types?: string;
  since?: string;
  json?: boolean;
  deliveries?: boolean;
  interval: string;
}

/** `lyceum tail [--types] [--since] [--deliveries] [--json] [--interval]`. */
export function tailCommand(): Command {
  return withRemoteOptions(
    new Command('tail')
      .description('Print events (and with --deliveries, delivery outcomes) as they happen')
      .option('--types <types>', 'only these event types, separated by commas')
      .option('--since <instant>', 'start from this ISO 8601 instant instead of now')
      .option('--deliveries', 'also print every delivery attempt (needs an admin key)')
      .option('--json', 'print one JSON object per line (NDJSON)')
      .option('--interval <ms>', 'how often to poll, in milliseconds', '1000'),
  ).action(async (options: TailOptions) => {
    const client = remoteClient(options);
    const interval = Number(options.interval);
    if (!Number.isInteger(interval) || interval < 100) {
      throw new UsageError('--interval must be a whole number of milliseconds, at least 100');
    }
    const types = parseTypes(options.types);
    const since = parseInstant('--since', options.since) ?? new Date().toISOString();
    const json = options.json === true;

    const stop = new AbortController();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => stop.abort());
    }
    const deliveries = options.deliveries ? new DeliveryWatch(client) : undefined;
    await deliveries?.baseline();

    let cursor: string | undefined;
    let announced = false;
    while (!stop.signal.aborted) {
      const page = await client.events.list({ types, since, limit: 100, cursor });
      for (const event of page.data) process.stdout.write(`${eventLine(event, json)}\n`);
      cursor = page.pageInfo.cursor ?? cursor;
      await deliveries?.poll((delivery, attempt, number) => {
        process.stdout.write(`${attemptLine(delivery, attempt, number, json)}\n`);
      });
      if (!announced) {
        announced = true;
        process.stderr.write(`Tailing ${describe(types, since)} (Ctrl-C to stop)\n`);
      }
      if (!page.pageInfo.hasMore) await pause(interval, stop.signal);
    }
  });
}

function parseTypes(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const types = text
    .split(',')
    .map((type) => type.trim())
    .filter((type) => type !== '');
  const unknown = types.find((type) => !(LYCEUM_EVENT_TYPES as readonly string[]).includes(type));
  if (types.length === 0 || unknown !== undefined) {
    throw new UsageError(`--types: "${unknown ?? text}" is not an event type`);
  }
  return types.join(',');
}

function describe(types: string | undefined, since: string): string {
  return `${types ? types.split(',').join(', ') : 'every event'} since ${since}`;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
