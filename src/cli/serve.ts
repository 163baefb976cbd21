/**
 * `lyceum serve [--role api|dispatcher|all]`.
 */
import { Command, Option } from 'commander';
import { loadConfig } from '../config.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the API, the webhook dispatcher, or both (the default)')
    .addOption(
      new Option('--role <role>', 'which part of Lyceum this process runs')
        .choices(['api', 'dispatcher', 'all'])
        .env('LYCEUM_ROLE'),
    )
    .action(async (options: { role?: 'api' | 'dispatcher' | 'all' }) => {
      const config = loadConfig();
      if (options.role) config.role = options.role;
      // Loaded here so that commands which only talk to a running Lyceum start quickly.
      const { startLyceum, stopOnSignals } = await import('../server.js');
      try {
        stopOnSignals(await startLyceum(config));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES') {
          const reason = code === 'EADDRINUSE' ? 'is already in use' : 'needs privileges';
          throw new Error(
            `cannot listen on ${config.host}:${config.port}: the address ${reason}; stop the other process or set PORT`,
            { cause: error },
          );
        }
        throw error;
      }
    });
}
