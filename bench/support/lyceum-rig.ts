/**
 * One Lyceum dispatcher under test: a fresh database of the engine asked for, the receivers
 * stored as its endpoints, and the dispatcher process opened on it. Disposed of after use, so
 * that every figure starts from an empty database.
 */
import { join } from 'node:path';
import type { WebhookSettings } from '../../src/config.js';
import type { DialectName } from '../../src/db/database.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import type { BenchOptions } from '../options.js';
import { type BenchEndpoint, insertEndpoints } from './endpoints.js';
import { BenchProcess } from './ipc.js';
import { seedHistory } from './seed-backlog.js';

/**
 * Delivered deliveries a PostgreSQL rig starts with, so that its statistics describe a running
 * installation (see seedHistory).
 */
const HISTORY_DELIVERIES = 10_000;

/** A database with endpoints and a dispatcher process ready for commands. */
export interface LyceumRig {
  dialect: DialectName;
  testDatabase: TestDatabase;
  endpoints: BenchEndpoint[];
  dispatcher: BenchProcess;
  /** Where events are committed: the dispatcher itself, or a separate API-like process. */
  committer: BenchProcess;
}

/** What the rig is for. */
export interface RigRequest {
  dialect: DialectName;
  urls: string[];
  /** Names the CPU profile, when profiling. */
  label: string;
  webhooks?: Partial<WebhookSettings>;
  /**
   * Commit in a process of its own, beside a dispatcher process woken by LISTEN/NOTIFY: the
   * deployment PostgreSQL is for. Otherwise one process commits and dispatches.
   */
  split?: boolean;
  /** False: end the process without stopping the dispatcher first (default true). */
  graceful?: boolean;
  /**
   * False: start a PostgreSQL rig without the delivered history (see seedHistory), for a
   * figure that seeds rows and gathers statistics itself (default true).
   */
  history?: boolean;
  /** Runs after the endpoints exist and before the dispatcher opens, e.g. to seed a backlog. */
  prepare?: (rig: Omit<LyceumRig, 'dispatcher' | 'committer'>) => Promise<void>;
}

/** Builds a rig, runs `work` on it and disposes of it, whatever happens. */
export async function withLyceum<T>(
  options: BenchOptions,
  request: RigRequest,
  work: (rig: LyceumRig) => Promise<T>,
): Promise<T> {
  const testDatabase = await createTestDatabase(request.dialect);
  let dispatcher: BenchProcess | undefined;
  let committer: BenchProcess | undefined;
  try {
    const endpoints = await insertEndpoints(testDatabase.database, request.urls);
    if (request.dialect === 'postgres' && request.history !== false) {
      await seedHistory(testDatabase.database, endpoints, HISTORY_DELIVERIES);
    }
    await request.prepare?.({ dialect: request.dialect, testDatabase, endpoints });

    const profile = options.cpuProfileDir;
    dispatcher = BenchProcess.start('lyceum-dispatcher', {
      nodeFlags: profile
        ? // One folder per process: the tsx loader thread writes a profile of its own beside it.
          ['--cpu-prof', '--cpu-prof-dir', join(profile, request.label)]
        : [],
    });
    const setup = {
      databaseUrl: testDatabase.url,
      webhooks: { concurrency: options.concurrency, ...request.webhooks },
    };
    await dispatcher.call('open', { ...setup, wakeups: request.split === true });
    if (request.split) {
      committer = BenchProcess.start('lyceum-dispatcher');
      await committer.call('open', setup);
    }
    const result = await work({
      dialect: request.dialect,
      testDatabase,
      endpoints,
      dispatcher,
      committer: committer ?? dispatcher,
    });
    if (request.graceful !== false) await dispatcher.call('close');
    return result;
  } finally {
    await committer?.stop();
    await dispatcher?.stop();
    await testDatabase.dispose();
  }
}

/** The engine's name as the table shows it. */
export function engineName(dialect: DialectName): string {
  return dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL';
}
