/**
 * `lyceum migrate`: apply pending database migrations and say which.
 */
import { Command } from 'commander';
import { withDatabase } from './database-command.js';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('Apply pending database migrations (serve also does this at start-up)')
    .action(async () => {
      await withDatabase(async (_context, applied) => {
        process.stdout.write(
          applied.length === 0
            ? 'The database is up to date.\n'
            : `Applied ${applied.length} migration(s): ${applied.join(', ')}\n`,
        );
      });
    });
}
