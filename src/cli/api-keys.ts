/**
 * `lyceum api-keys create|list|revoke`, working directly on the database.
 */
import { Command } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey } from '../keys/api-keys.js';
import { parseRateLimit } from '../keys/rate-limit-spec.js';
import { parseScopes } from '../keys/scopes.js';
import { isId } from '../shared/ids.js';
import { withDatabase } from './database-command.js';
import { UsageError } from './usage-error.js';

function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function apiKeysCommand(): Command {
  const command = new Command('api-keys').description('Create, list and revoke API keys');

  command
    .command('create')
    .description('Create a key; it is printed once and never stored')
    .requiredOption('--name <name>', 'a name to recognise the key by')
    .requiredOption('--scopes <scopes>', 'comma-separated: read, write, admin')
    .option('--rate-limit <limit>', 'requests allowed, e.g. 600/min or 10/s')
    .option('--json', 'print one JSON object whose "key" field is the new key')
    .action(
      async (options: { name: string; scopes: string; rateLimit?: string; json?: boolean }) => {
        const scopes = usage(() => parseScopes(options.scopes));
        const rateLimitPerMinute =
          options.rateLimit === undefined ? null : usage(() => parseRateLimit(options.rateLimit!));
        const name = options.name.trim();
        if (name === '' || name.length > 100)
          throw new UsageError('--name must be 1 to 100 characters');

        const created = await withDatabase((context) =>
          createApiKey(context, { name, scopes, rateLimitPerMinute }),
        );
        if (options.json) {
          process.stdout.write(`${JSON.stringify(created)}\n`);
        } else {
          process.stdout.write(
            `Created ${created.id} (${created.scopes.join(', ')}). The key, shown only now:\n${created.key}\n`,
          );
        }
      },
    );

  command
    .command('list')
    .description('List keys by prefix, scopes and state')
    .option('--json', 'print the keys as a JSON array')
    .action(async (options: { json?: boolean }) => {
      const keys = await withDatabase((context) => listApiKeys(context));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(keys)}\n`);
        return;
      }
      for (const key of keys) {
        const state = key.revokedAt ? `revoked ${key.revokedAt}` : 'active';
        process.stdout.write(
          `${key.id}  ${key.prefix}…  ${key.scopes.join(',')}  ${state}  ${key.name}\n`,
        );
      }
      if (keys.length === 0) process.stdout.write('No API keys yet.\n');
    });

  command
    .command('revoke')
    .description('Revoke a key by its id (key_…)')
    .argument('<id>', 'the key id')
    .action(async (id: string) => {
      if (!isId('apiKey', id)) throw new UsageError(`"${id}" is not an API key id (key_…)`);
      const revoked = await withDatabase((context) => revokeApiKey(context, id));
      if (!revoked) throw new UsageError(`no API key ${id}`);
      process.stdout.write(`Revoked ${revoked.id} (${revoked.name}).\n`);
    });

  return command;
}
