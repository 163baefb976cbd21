/**
 * The machine and the versions a run measured, so a reader can tell whether their figures are
 * comparable.
 */

import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import { openDatabase } from '../../src/db/database.js';
import { errorMessage } from '../../src/shared/errors.js';
import { LYCEUM_VERSION } from '../../src/shared/version.js';
import { POSTGRES_URL, REDIS_URL } from '../../test/support/services.js';

/** Where and with what a run happened. */
export interface RunEnvironment {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  /** The 1-minute load average when the run started: other work on the machine adds noise. */
  loadAtStart: number;
  versions: Record<string, string>;
}

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

async function sqliteVersion(): Promise<string> {
  const database = openDatabase({ kind: 'sqlite', path: ':memory:' });
  try {
    const { sql } = await import('kysely');
    const result = await sql<{ v: string }>`select sqlite_version() as v`.execute(database.db);
    return result.rows[0]?.v ?? 'unknown';
  } finally {
    await database.close();
  }
}

async function postgresVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  try {
    await client.connect();
    const result = await client.query<{ server_version: string }>('show server_version');
    return result.rows[0]?.server_version ?? 'unknown';
  } catch (error) {
    return `unreachable (${errorMessage(error)})`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function redisVersion(): Promise<string> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const info = await redis.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } catch (error) {
    return `unreachable (${errorMessage(error)})`;
  } finally {
    redis.disconnect();
  }
}

/** Describes this machine and the software under test. */
export async function describeEnvironment(): Promise<RunEnvironment> {
  const processors = cpus();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    loadAtStart: loadavg()[0] ?? 0,
    versions: {
      Node: process.version,
      Lyceum: LYCEUM_VERSION,
      SQLite: await sqliteVersion(),
      PostgreSQL: await postgresVersion(),
      Redis: await redisVersion(),
      Fastify: packageVersion('fastify'),
      undici: packageVersion('undici'),
      BullMQ: packageVersion('bullmq'),
      autocannon: packageVersion('autocannon'),
    },
  };
}

/** The lines printed above the table. */
export function describeRun(environment: RunEnvironment, command: string, loadAtEnd: number) {
  const versions = Object.entries(environment.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return [
    `- Command: \`${command}\``,
    `- Date: ${environment.date}`,
    `- Machine: ${environment.cpu}, ${environment.cores} cores, ${environment.memoryGiB} GiB memory`,
    `- Load average (1 min): ${environment.loadAtStart.toFixed(2)} at the start, ${loadAtEnd.toFixed(2)} at the end`,
    `- Versions: ${versions}`,
  ].join('\n');
}
