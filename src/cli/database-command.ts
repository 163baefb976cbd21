/**
 * Running a command against the configured database: open, migrate, work, close.
 */
import { loadConfig } from '../config.js';
import { type AppContext, createContext } from '../context.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { createLogger } from '../shared/logger.js';

/** Opens the database of the environment's configuration for `work`, then closes it. */
export async function withDatabase<T>(
  work: (context: AppContext, applied: string[]) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const database = openDatabase(config.database, { poolSize: 2 });
  try {
    const applied = await migrateToLatest(database);
    const context = createContext({
      config,
      database,
      logger: createLogger('warn', process.stderr),
    });
    return await work(context, applied);
  } finally {
    await database.close();
  }
}
