/**
 * Several real `lyceum serve` processes on one fresh PostgreSQL schema, as an operator runs
 * Lyceum beyond one machine. Each process gets its own `application_name` (through
 * DATABASE_URL) so a test can find, count or cut exactly its connections in
 * `pg_stat_activity`, without touching other tests that share the server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../../../src/config.js';
import { type AppContext, createContext } from '../../../src/context.js';
import { openDatabase } from '../../../src/db/database.js';
import { migrateToLatest } from '../../../src/db/migrate.js';
import { createApiKey } from '../../../src/keys/api-keys.js';
import { createLogger } from '../../../src/shared/logger.js';
import { BIN, stopChild } from '../../support/cli.js';
import { POSTGRES_URL } from '../../support/services.js';

/** Settings every process of a cluster test shares: loopback receivers, short leases. */
export const CLUSTER_ENV: Record<string, string> = {
  // Several processes per test and several tests at once share the server's connections.
  LYCEUM_DATABASE_POOL_SIZE: '4',
  LYCEUM_WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
  LYCEUM_WEBHOOK_ALLOW_HTTP: 'true',
  LYCEUM_WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,500ms,1s,1s,1s',
  LYCEUM_WEBHOOK_TIMEOUT: '1s',
  LYCEUM_DISPATCHER_LEASE: '2s',
};

/** For hooks that start processes: several start at once on a busy two-core machine. */
export const STARTUP_TIMEOUT_MS = 90_000;

/** One running `lyceum serve` of a cluster. */
export interface ClusterProcess {
  name: string;
  child: ChildProcess;
  url: string;
  output: () => string;
  /** The prefix of this process's dispatcher lease owner (`host:pid:`). */
  leasePrefix: string;
}

/** A fresh schema, the processes started on it, and ways to inspect and break them. */
export interface Cluster {
  schema: string;
  /** Prefix of every application_name in this cluster. */
  appName: string;
  /** A context over the cluster's schema, for setting up and checking data directly. */
  context: AppContext;
  /** An admin key with a limit no test reaches. */
  adminKey: string;
  /** DATABASE_URL for a process called `name`. */
  urlFor(name: string): string;
  /** Starts `lyceum serve --role <role>`; resolves once it listens. */
  start(
    name: string,
    role: 'api' | 'dispatcher' | 'all',
    env?: Record<string, string>,
  ): Promise<ClusterProcess>;
  /** Sends `signal` and resolves once the process has exited. */
  kill(process: ClusterProcess, signal: NodeJS.Signals): Promise<void>;
  /** Terminates the backends of this cluster's processes (or those of one of them). */
  cutConnections(name?: string): Promise<number>;
  /** Stops every process still running and drops the schema. */
  dispose(): Promise<void>;
}

/** Creates an empty schema (migrated unless `migrate` is false) and a handle on it. */
export async function createCluster(options: { migrate?: boolean } = {}): Promise<Cluster> {
  const id = randomBytes(5).toString('hex');
  const schema = `scale_${id}`;
  const appName = `lyceum_${id}`;
  await adminQuery(`create schema ${schema}`);

  const database = openDatabase(
    { kind: 'postgres', url: POSTGRES_URL },
    { searchPath: schema, poolSize: 3 },
  );
  const context = createContext({
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    database,
    logger: createLogger('silent'),
  });
  let adminKey = '';
  if (options.migrate !== false) {
    await migrateToLatest(database);
    adminKey = (
      await createApiKey(context, {
        name: 'scale test',
        scopes: ['admin'],
        rateLimitPerMinute: 10_000_000,
      })
    ).key;
  }

  // Every child from the moment it is spawned, so none outlives the test, even one still
  // starting when a sibling failed.
  const children: ChildProcess[] = [];
  const urlFor = (name: string) => {
    const query = new URLSearchParams({
      options: `-c search_path=${schema}`,
      application_name: `${appName}_${name}`,
    });
    return `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}${query}`;
  };

  return {
    schema,
    appName,
    context,
    adminKey,
    urlFor,
    async start(name, role, env = {}) {
      const child = spawn(process.execPath, [BIN, 'serve', '--role', role], {
        env: {
          ...process.env,
          HOST: '127.0.0.1',
          PORT: '0',
          LOG_LEVEL: 'info',
          ...CLUSTER_ENV,
          DATABASE_URL: urlFor(name),
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      const started = await listeningUrl(child);
      return { name, child, ...started, leasePrefix: `${hostname()}:${child.pid}:` };
    },
    kill: (process, signal) => killChild(process.child, signal),
    async cutConnections(name) {
      const pattern = name === undefined ? `${appName}\\_%` : `${appName}\\_${name}`;
      const result = await sql<{ pid: number }>`
        select pg_terminate_backend(pid) as pid from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid()
          and application_name like ${pattern}`.execute(database.db);
      return result.rows.length;
    },
    async dispose() {
      await Promise.all(children.map((child) => killChild(child, 'SIGKILL')));
      await database.close();
      await adminQuery(`drop schema if exists ${schema} cascade`);
    },
  };
}

/** Resolves with the URL `child` announces once it listens; rejects if it exits first. */
function listeningUrl(child: ChildProcess): Promise<{ url: string; output: () => string }> {
  let output = '';
  return new Promise((resolve, reject) => {
    // Generous: several processes start at once on a busy two-core machine.
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"address":"(http:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
}

/** Resolves once `child` has exited, sending `signal` first if it still runs. */
function killChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (signal === 'SIGTERM') return stopChild(child).then(() => undefined);
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Sends a JSON request with the key and parses the answer; never throws for a status. */
export async function callApi(
  baseUrl: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : JSON.parse(text) };
}

/** Runs `task(i)` for i in [0, count) with at most `parallel` at a time. */
export async function runPool(
  count: number,
  parallel: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
}

/** Pending deliveries whose lease belongs to the process with lease prefix `prefix`. */
export async function leasesHeldBy(context: AppContext, prefix: string): Promise<number> {
  const row = await context.database.db
    .selectFrom('deliveries')
    .select(sql<number>`count(*)`.as('count'))
    .where('status', '=', 'pending')
    .where('lease_owner', 'like', `${prefix}%`)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Deliveries by status. */
export async function deliveryStatuses(context: AppContext): Promise<Record<string, number>> {
  const rows = await context.database.db
    .selectFrom('deliveries')
    .select(['status', sql<number>`count(*)`.as('count')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}
