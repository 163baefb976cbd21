/**
 * WAL checkpoints on a thread of their own. By default SQLite checkpoints inside whichever
 * commit pushes the write-ahead log past 1,000 pages: that commit then copies the log into the
 * database file and waits for the disk flush, several milliseconds during which a process with
 * one event loop answers nothing and sends no webhook. A long-running server instead turns
 * automatic checkpoints off on its connection and lets a worker thread, with a connection of its
 * own, run a passive checkpoint every few hundred milliseconds. Passive checkpoints never block
 * the writer, and the writer starts the log over from the beginning once a checkpoint has
 * copied all of it.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the worker checkpoints. */
const INTERVAL_MS = 50;

/**
 * The worker's code, as a CommonJS script: it runs in a plain worker, without the TypeScript
 * loader of the main thread. A failed checkpoint (the file busy for longer than the timeout) is
 * retried at the next tick; the main connection's fallback checkpoint bounds the log meanwhile.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/** A running checkpoint thread for one database file. */
export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(path: string, intervalMs = INTERVAL_MS) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, path, intervalMs },
    });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    // A worker that fails leaves checkpoints to the main connection's fallback; it never takes
    // the process down.
    this.worker.on('error', () => {});
    // The thread must not keep a process alive that has nothing else to do.
    this.worker.unref();
  }

  /** Runs a last checkpoint and ends the thread. */
  async stop(): Promise<void> {
    this.worker.postMessage('stop');
    await this.exited;
  }
}
