/**
 * What the commands that talk to a running Lyceum share: `--url` and `--api-key` (defaulting
 * to LYCEUM_URL and LYCEUM_API_KEY) and an SDK client built from them.
 */
import { type Command, Option } from 'commander';
import { LyceumClient } from '../../packages/sdk/src/index.js';
import { UsageError } from './usage-error.js';

/** The options every remote command takes. */
export interface RemoteOptions {
  url?: string;
  apiKey?: string;
}

/** Adds `--url` and `--api-key` to `command`. */
export function withRemoteOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--url <url>', 'where Lyceum answers, e.g. http://localhost:8080').env(
        'LYCEUM_URL',
      ),
    )
    .addOption(new Option('--api-key <key>', 'an API key (lyk_…)').env('LYCEUM_API_KEY'));
}

/** A client for the Lyceum the options name; a missing or bad one is a usage error. */
export function remoteClient(options: RemoteOptions): LyceumClient {
  if (!options.url) throw new UsageError('no Lyceum to talk to: pass --url or set LYCEUM_URL');
  if (!options.apiKey) throw new UsageError('no API key: pass --api-key or set LYCEUM_API_KEY');
  if (!/^https?:\/\/[^/]+/.test(options.url)) {
    throw new UsageError(`--url must be an http(s) URL, got "${options.url}"`);
  }
  return new LyceumClient({ baseUrl: options.url, apiKey: options.apiKey, maxRetries: 2 });
}

/** Parses an ISO 8601 instant given as `--name`; a bad one is a usage error. */
export function parseInstant(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new UsageError(`${name} must be an ISO 8601 instant such as 2026-12-01T00:00:00Z`);
  }
  return new Date(time).toISOString();
}
