/**
 * Starting and stopping a Lyceum process: open the database, migrate, build what the role
 * needs, listen, and on SIGTERM stop in the reverse order without losing work.
 */

import { buildApp } from './api/app.js';
import type { LyceumApp } from './api/types.js';
import type { Config } from './config.js';
import { type AppContext, createContext } from './context.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { ensureAdminKey } from './keys/api-keys.js';
import type { Clock } from './shared/clock.js';
import { createLogger, type Logger } from './shared/logger.js';
import { Dispatcher } from './webhooks/dispatcher.js';
import { startDeliveryWakeups } from './webhooks/postgres-wakeups.js';

export interface RunningLyceum {
  context: AppContext;
  app: LyceumApp;
  /** The address the HTTP server listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The webhook dispatcher, when the role runs one. */
  dispatcher: Dispatcher | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
}

/** Starts a process with the given configuration and resolves once it listens. */
export async function startLyceum(
  config: Config,
  options: StartOptions = {},
): Promise<RunningLyceum> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = openDatabase(config.database, {
    poolSize: config.databasePoolSize,
    backgroundCheckpoints: true,
  });
  const context = createContext({
    config,
    database,
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
  });

  const applied = await migrateToLatest(database);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  if (config.adminApiKey) {
    const created = await ensureAdminKey(context, config.adminApiKey);
    if (created) logger.info('admin API key from LYCEUM_ADMIN_API_KEY registered');
  }

  const app = await buildApp(context);
  const runsDispatcher = config.role === 'dispatcher' || config.role === 'all';
  // Listening before the address is announced: a delivery committed by another process the
  // moment this one reports ready wakes it at once.
  const wakeups = runsDispatcher ? await startDeliveryWakeups(context) : undefined;

  let stopping: Promise<void> | undefined;
  let dispatcher: Dispatcher | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // First, so attempts in flight can still record their outcome in the open database.
      await dispatcher?.stop();
      await wakeups?.stop();
      await app.close();
      await database.close();
      logger.info('Lyceum stopped');
    })();
    return stopping;
  };

  let address: string;
  try {
    address = await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await stop();
    throw error;
  }
  logger.info({ address, role: config.role, database: database.dialect }, 'Lyceum is listening');
  dispatcher = runsDispatcher ? new Dispatcher(context) : undefined;
  dispatcher?.start();
  return { context, app, url: address.replace('0.0.0.0', '127.0.0.1'), dispatcher, stop };
}

/** Stops `running` on SIGTERM or SIGINT, then exits. */
export function stopOnSignals(running: RunningLyceum): void {
  const onSignal = (signal: NodeJS.Signals) => {
    running.context.logger.info({ signal }, 'shutting down');
    running
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        running.context.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
