/**
 * Commands between the bench and the processes it starts. Every measured part runs in its own
 * process (so its CPU time and memory are its own); the bench sends it a command over the IPC
 * channel and waits for the answer.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { toError } from '../../src/shared/errors.js';

/** What a bench process answers to one command. */
export type CommandHandlers = Record<string, (argument: never) => Promise<unknown> | unknown>;

interface Request {
  id: number;
  command: string;
  argument: unknown;
}

type Reply = { id: number; result: unknown } | { id: number; error: string };

/**
 * Answers commands arriving from the parent until it disconnects. Every process also answers
 * `ready`, once its modules are loaded, so that a measurement need not include its start-up.
 */
export function serveCommands(handlers: CommandHandlers): void {
  if (!process.send) throw new Error('a bench process must be started by the bench, over IPC');
  const all: CommandHandlers = { ready: () => null, ...handlers };
  process.on('message', (message: Request) => {
    const handler = all[message.command];
    const reply = (answer: Reply) => process.send?.(answer);
    if (!handler) {
      reply({ id: message.id, error: `unknown command ${message.command}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.argument as never))
      .then(
        (result) => reply({ id: message.id, result: result ?? null }),
        (error: unknown) => reply({ id: message.id, error: toError(error).stack ?? String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

/** Options for starting a bench process. */
export interface StartOptions {
  env?: Record<string, string>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
}

/** A started bench process that takes commands. */
export class BenchProcess {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();

  private constructor(
    readonly child: ChildProcess,
    readonly name: string,
  ) {
    child.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if ('error' in reply) waiter.reject(new Error(`${name}: ${reply.error}`));
      else waiter.resolve(reply.result);
    });
    child.once('exit', (code, signal) => {
      for (const waiter of this.pending.values()) {
        waiter.reject(new Error(`${name} exited (${signal ?? code}) before answering`));
      }
      this.pending.clear();
    });
  }

  /** Starts `bench/processes/<script>.ts` under tsx. */
  static start(script: string, options: StartOptions = {}): BenchProcess {
    const path = fileURLToPath(new URL(`../processes/${script}.ts`, import.meta.url));
    const child = fork(path, [], {
      execArgv: [...(options.nodeFlags ?? []), '--import', 'tsx'],
      env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new BenchProcess(child, script);
  }

  /** The process id, e.g. to read its CPU time. */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Sends `command` and resolves with the process's answer. */
  call<T>(command: string, argument: unknown = null): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, command, argument } satisfies Request);
    });
  }

  /** Ends the process: disconnecting lets it exit on its own, which writes a CPU profile. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
