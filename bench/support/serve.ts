/**
 * `lyceum serve` as an operator runs it, in a process of its own, optionally with node flags
 * (a CPU profile) that NODE_OPTIONS does not accept.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { BIN } from '../../test/support/cli.js';

/** A running `lyceum serve`. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
}

/** Starts `lyceum serve` with `env` added and resolves once it listens. */
export function startServe(
  env: Record<string, string>,
  nodeFlags: string[] = [],
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...nodeFlags, BIN, 'serve'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      // Only the start-up lines are of interest; later ones are read and dropped.
      if (output.length > 100_000) return;
      output += chunk.toString();
      const match = /"address":"(http:\/\/[^"]+)"/.exec(output);
      if (match) resolve({ child, url: match[1]! });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
}

/** Stops it with SIGTERM, as a supervisor would, and waits for it to exit. */
export function stopServe(serve: ServeProcess): Promise<void> {
  return new Promise((resolve) => {
    if (serve.child.exitCode !== null || serve.child.signalCode !== null) return resolve();
    serve.child.once('exit', () => resolve());
    serve.child.kill('SIGTERM');
  });
}
