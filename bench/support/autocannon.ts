/**
 * The REST load generator: autocannon's command line in a process of its own, so generating
 * load never takes CPU from the server it measures within one event loop.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** How hard and how long to load one URL. */
export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  headers?: Record<string, string>;
}

/** What a load run measured. */
export interface LoadResult {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

interface AutocannonJson {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

const require = createRequire(import.meta.url);
const CLI = join(dirname(require.resolve('autocannon/package.json')), 'autocannon.js');

/** Loads `url` and returns the averages; throws when any answer was not a 2xx. */
export function load(options: LoadOptions): Promise<LoadResult> {
  const args = [
    CLI,
    '--json',
    '--connections',
    String(options.connections),
    '--duration',
    String(options.durationSeconds),
  ];
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    args.push('--headers', `${name}=${value}`);
  }
  args.push(options.url);

  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}: ${stderr}`));
      const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as AutocannonJson;
      const failures = result.non2xx + result.errors + result.timeouts;
      if (failures > 0) {
        return reject(new Error(`${failures} requests to ${options.url} failed or were not 2xx`));
      }
      resolve({
        requestsPerSecond: result.requests.average,
        latencyP50Ms: result.latency.p50,
        latencyP99Ms: result.latency.p99,
      });
    });
  });
}
