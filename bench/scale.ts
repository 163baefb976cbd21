/**
 * `npx tsx bench/scale.ts [--dispatchers 1,2,3] [--events 400] [--receivers 16] [--runs 3]
 * [--delay 0]`: how delivery capacity grows as dispatcher processes are added to one PostgreSQL.
 *
 * For each count of dispatchers, every run starts that many real `lyceum serve --role
 * dispatcher` processes on a fresh schema, commits a backlog of `events` events fanned out to
 * `receivers` local receivers (which answer 200 at once, or after `delay` ms) in one
 * transaction, and times from
 * that commit until the receivers have had every delivery and the database says every
 * delivery succeeded. It prints deliveries per second (median of the runs) and the ratio
 * against one process. PostgreSQL comes from LYCEUM_BENCH_POSTGRES_URL or the test default.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { type AppContext, createContext } from '../src/context.js';
import { type Database, openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { transact } from '../src/db/transaction.js';
import { recordEvent } from '../src/events/outbox.js';
import { createLogger } from '../src/shared/logger.js';
import { generateSecret } from '../src/webhooks/signing.js';
import { cpuMsOf } from './support/cpu-time.js';

const POSTGRES_URL =
  process.env.LYCEUM_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BIN = fileURLToPath(new URL('../bin/lyceum.js', import.meta.url));
const APPLICATION_NAME = 'lyceum_bench_scale';

interface Options {
  dispatchers: number[];
  events: number;
  receivers: number;
  runs: number;
  /** How long each receiver takes to answer, in milliseconds. */
  delay: number;
}

/** Settings of every dispatcher process; the rest are Lyceum's defaults. */
const DISPATCHER_ENV = {
  LOG_LEVEL: 'info',
  HOST: '127.0.0.1',
  PORT: '0',
  LYCEUM_WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
  LYCEUM_WEBHOOK_ALLOW_HTTP: 'true',
};

function parseOptions(args: string[]): Options {
  const value = (name: string, fallback: string) => {
    const index = args.indexOf(`--${name}`);
    return index >= 0 && args[index + 1] !== undefined ? args[index + 1]! : fallback;
  };
  return {
    dispatchers: value('dispatchers', '1,2,3').split(',').map(Number),
    events: Number(value('events', '400')),
    receivers: Number(value('receivers', '16')),
    runs: Number(value('runs', '3')),
    delay: Number(value('delay', '0')),
  };
}

/** Local receivers that answer 200 (at once or after `delayMs`) and count what they get. */
async function startReceivers(
  count: number,
  delayMs: number,
): Promise<{ urls: string[]; received: () => number; close: () => void }> {
  let received = 0;
  const servers: Server[] = [];
  for (let index = 0; index < count; index++) {
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        received += 1;
        const respond = () => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        if (delayMs > 0) setTimeout(respond, delayMs);
        else respond();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  return {
    urls: servers.map(
      (server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    ),
    received: () => received,
    close: () => {
      for (const server of servers) server.close();
    },
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(text).finally(() => client.end());
}

/** The dispatchers' DATABASE_URL: this run's schema, and a name to find their backends by. */
function schemaUrl(schema: string): string {
  const query = new URLSearchParams({
    options: `-c search_path=${schema}`,
    application_name: APPLICATION_NAME,
  });
  return `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}${query}`;
}

/** Starts a dispatcher process; resolves once it listens. */
function startDispatcher(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--role', 'dispatcher'], {
    env: { ...process.env, ...DISPATCHER_ENV, DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"msg":"dispatcher started"')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`a dispatcher exited with ${code}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Writes one enabled endpoint per receiver URL. */
async function insertEndpoints(context: AppContext, urls: string[]): Promise<void> {
  const now = context.clock.now();
  const rows = urls.map((url) => ({
    id: context.ids.next('webhook'),
    url,
    event_types: JSON.stringify(['*']),
    description: 'scale bench',
    enabled: 1,
    disabled_reason: null,
    disabled_at: null,
    secret: generateSecret(),
    previous_secret: null,
    previous_secret_expires_at: null,
    failing_since: null,
    created_at: now,
    updated_at: now,
  }));
  await context.database.db.insertInto('webhook_endpoints').values(rows).execute();
}

/** One run's figures. */
interface Measurement {
  /** Deliveries per second. */
  rate: number;
  /** CPU milliseconds per 1000 deliveries, in the dispatcher processes and in PostgreSQL. */
  dispatcherCpu: number;
  postgresCpu: number;
}

/** The PostgreSQL backends serving this run's dispatchers, by their application name. */
async function backendPids(database: Database): Promise<number[]> {
  const result = await sql<{ pid: number }>`
    select pid from pg_stat_activity where application_name = ${APPLICATION_NAME}`.execute(
    database.db,
  );
  return result.rows.map((row) => row.pid);
}

/** Total CPU of `pids` now, keyed by pid. */
function cpuOf(pids: Array<number | undefined>): Map<number | undefined, number> {
  return new Map(pids.map((pid) => [pid, pid === undefined ? 0 : cpuMsOf(pid)]));
}

/** CPU used between two snapshots (a process first seen in `after` counts from zero). */
function cpuBetween(
  before: Map<number | undefined, number>,
  after: Map<number | undefined, number>,
): number {
  let total = 0;
  for (const [pid, used] of after) total += used - (before.get(pid) ?? 0);
  return total;
}

async function measure(dispatchers: number, options: Options): Promise<Measurement> {
  const schema = `bench_scale_${randomBytes(5).toString('hex')}`;
  await adminQuery(`create schema ${schema}`);
  const database = openDatabase({ kind: 'postgres', url: POSTGRES_URL }, { searchPath: schema });
  const receivers = await startReceivers(options.receivers, options.delay);
  const children: ChildProcess[] = [];
  try {
    await migrateToLatest(database);
    const context = createContext({
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      database,
      logger: createLogger('silent'),
    });
    await insertEndpoints(context, receivers.urls);
    for (let index = 0; index < dispatchers; index++) {
      children.push(await startDispatcher(schemaUrl(schema)));
    }
    const dispatcherPids = children.map((child) => child.pid);
    const dispatcherBefore = cpuOf(dispatcherPids);
    const postgresBefore = cpuOf(await backendPids(database));

    // One commit makes the whole backlog due at once and wakes every dispatcher.
    await transact(database, async (write) => {
      for (let index = 0; index < options.events; index++) {
        await recordEvent(context, write, 'user.created', { userId: `usr_bench${index}` });
      }
    });
    const started = performance.now();
    const total = options.events * options.receivers;
    while (receivers.received() < total) await new Promise((resolve) => setTimeout(resolve, 5));
    for (;;) {
      const row = await sql<{ count: number }>`
        select count(*)::int as count from deliveries where status = 'succeeded'`.execute(
        database.db,
      );
      if ((row.rows[0]?.count ?? 0) >= total) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const seconds = (performance.now() - started) / 1000;
    const perThousand = (ms: number) => (ms * 1000) / total;
    return {
      rate: total / seconds,
      dispatcherCpu: perThousand(cpuBetween(dispatcherBefore, cpuOf(dispatcherPids))),
      postgresCpu: perThousand(cpuBetween(postgresBefore, cpuOf(await backendPids(database)))),
    };
  } finally {
    await Promise.all(children.map(stop));
    receivers.close();
    await database.close();
    await adminQuery(`drop schema if exists ${schema} cascade`);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const deliveries = options.events * options.receivers;
  console.log(
    `${cpus().length} CPU cores (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(
        ' ',
      )}; ${deliveries} deliveries per run (${options.events} events × ${options.receivers} receivers answering after ${options.delay} ms), ${options.runs} runs each`,
  );

  const results = options.dispatchers.map((dispatchers) => ({
    dispatchers,
    runs: [] as Measurement[],
  }));
  // Interleaved (1, 2, 3, 1, 2, 3, …) so that a change in the machine's load hits every count.
  for (let run = 0; run < options.runs; run++) {
    for (const entry of results) {
      const measured = await measure(entry.dispatchers, options);
      entry.runs.push(measured);
      console.log(
        `  run ${run + 1}, ${entry.dispatchers} dispatcher(s): ${measured.rate.toFixed(0)} deliveries/s, CPU ms per 1000: dispatchers ${measured.dispatcherCpu.toFixed(0)}, PostgreSQL ${measured.postgresCpu.toFixed(0)}`,
      );
    }
  }

  const base = median(results[0]?.runs.map((run) => run.rate) ?? [1]);
  console.log(
    '\n| dispatcher processes | deliveries/s (median) | runs | vs. 1 process | CPU ms per 1000 deliveries: dispatchers / PostgreSQL (median) |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const { dispatchers, runs } of results) {
    const rate = median(runs.map((run) => run.rate));
    const cpu = (pick: (run: Measurement) => number) => median(runs.map(pick)).toFixed(0);
    console.log(
      `| ${dispatchers} | ${rate.toFixed(0)} | ${runs.map((run) => run.rate.toFixed(0)).join(', ')} | ${(rate / base).toFixed(2)}× | ${cpu((run) => run.dispatcherCpu)} / ${cpu((run) => run.postgresCpu)} |`,
    );
  }
}

await main();
