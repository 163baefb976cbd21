/**
 * REST: `GET /v2/users/:id` with authentication, rate limiting and a database read, served by
 * a real `lyceum serve` process on SQLite, against a bare Fastify hello-world. autocannon loads
 * each in turn from a process of its own, with the same connections and duration; the two are
 * measured alternately, several times, and the best of each counts, so that a burst of other
 * work on the machine does not decide the ratio.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../test/support/cli.js';
import type { BenchOptions } from '../options.js';
import { type Row, rateRow } from '../report/table.js';
import { type LoadOptions, load } from '../support/autocannon.js';
import { BenchProcess } from '../support/ipc.js';
import { type ServeProcess, startServe, stopServe } from '../support/serve.js';

type Target = Omit<LoadOptions, 'connections' | 'durationSeconds'>;

/** Warms the server up, then measures it. */
async function measure(options: BenchOptions, target: Target): Promise<number> {
  const { connections, warmupSeconds, durationSeconds } = options.rest;
  await load({ ...target, connections, durationSeconds: warmupSeconds });
  return (await load({ ...target, connections, durationSeconds })).requestsPerSecond;
}

/** A `lyceum serve` on a fresh SQLite file with one user and a key to read it. */
async function startLyceum(options: BenchOptions, dir: string): Promise<[ServeProcess, Target]> {
  const env = { DATABASE_URL: `sqlite:${join(dir, 'lyceum.db')}` };
  // A rate limit far above what the machine can serve: this measures the path, not 429s.
  const created = await runCli(
    [
      ...['api-keys', 'create', '--name', 'bench', '--scopes', 'read,write'],
      ...['--rate-limit', '100000000/min', '--json'],
    ],
    env,
  );
  if (created.code !== 0) throw new Error(`could not create the bench key: ${created.stderr}`);
  const authorization = `Bearer ${(JSON.parse(created.stdout) as { key: string }).key}`;

  const profile = options.cpuProfileDir
    ? ['--cpu-prof', '--cpu-prof-dir', join(options.cpuProfileDir, 'rest-serve')]
    : [];
  const server = await startServe({ ...env, LOG_LEVEL: 'info', LYCEUM_ROLE: 'all' }, profile);
  const response = await fetch(`${server.url}/v2/users`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.com', firstName: 'Ada', lastName: 'Lovelace' }),
  });
  if (response.status !== 201) throw new Error(`creating the user answered ${response.status}`);
  const user = (await response.json()) as { id: string };
  return [server, { url: `${server.url}/v2/users/${user.id}`, headers: { authorization } }];
}

/** The REST row. */
export async function restFigures(options: BenchOptions): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lyceum-bench-rest-'));
  const hello = BenchProcess.start('hello-fastify');
  let lyceum: ServeProcess | undefined;
  try {
    const bareTarget = { url: await hello.call<string>('start') };
    const [server, lyceumTarget] = await startLyceum(options, dir);
    lyceum = server;

    let bare = 0;
    let ours = 0;
    for (let run = 0; run < options.repeats; run++) {
      bare = Math.max(bare, await measure(options, bareTarget));
      ours = Math.max(ours, await measure(options, lyceumTarget));
    }
    return [
      rateRow(
        `REST \`GET /v2/users/:id\` (auth, rate limit, SQLite read) vs bare Fastify hello-world, ${options.rest.connections} connections`,
        ours,
        bare,
        'req/s',
        0.5,
      ),
    ];
  } finally {
    if (lyceum) await stopServe(lyceum);
    await hello.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
