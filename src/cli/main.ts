/**
 * The `lyceum` command. Every failure is one line on stderr and a non-zero exit: 2 for a bad
 * setting or argument, 1 for anything else.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { errorMessage } from '../shared/errors.js';
import { LYCEUM_VERSION } from '../shared/version.js';
import { apiKeysCommand } from './api-keys.js';
import { integratorCommands } from './integrator-commands.js';
import { migrateCommand } from './migrate.js';
import { serveCommand } from './serve.js';
import { UsageError } from './usage-error.js';

const program = new Command('lyceum')
  .description('Lyceum: a learning platform with a REST API and signed webhooks')
  .version(LYCEUM_VERSION)
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) });

program.addCommand(serveCommand());
program.addCommand(migrateCommand());
program.addCommand(apiKeysCommand());
for (const command of integratorCommands()) program.addCommand(command);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  const usage = error instanceof ConfigError || error instanceof UsageError;
  process.stderr.write(`lyceum: ${errorMessage(error)}\n`);
  process.exit(usage ? 2 : 1);
}
