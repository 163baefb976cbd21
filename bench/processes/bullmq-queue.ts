/**
 * Baseline (b), what a team would build instead of an outbox: a BullMQ queue on Redis, one job
 * per event and receiver, and a worker that signs (with Lyceum's own signing code) and POSTs.
 * BullMQ's defaults are kept, among them keeping every completed job in Redis, which is its
 * record of the attempt. Producer and worker share this process, as Lyceum's API and
 * dispatcher share theirs.
 */
import { type Job, Queue, Worker } from 'bullmq';
import { Agent, request } from 'undici';
import { serveCommands } from '../support/ipc.js';
import { sharedNow } from '../support/now.js';
import { pace } from '../support/pacer.js';
import {
  type BenchEvent,
  benchEvent,
  signedHeaders,
  type Target,
} from '../support/signed-request.js';
import { writeConcurrently } from '../support/writers.js';

/** How to open the process. */
export interface QueueSetup {
  redisUrl: string;
  queueName: string;
  targets: Target[];
  concurrency: number;
}

interface DeliveryJob {
  event: BenchEvent;
  target: Target;
}

let setup: QueueSetup;
let queue: Queue<DeliveryJob>;
let worker: Worker<DeliveryJob> | undefined;
let completed = 0;
const waiters: Array<{ count: number; resolve: () => void }> = [];
const agent = new Agent({ connections: 32 });

function connection() {
  const { hostname, port } = new URL(setup.redisUrl);
  // A worker blocks on Redis; BullMQ requires it never to give up on a command.
  return { host: hostname, port: Number(port || 6379), maxRetriesPerRequest: null };
}

async function deliver(job: Job<DeliveryJob>): Promise<void> {
  const { event, target } = job.data;
  const response = await request(target.url, {
    dispatcher: agent,
    method: 'POST',
    headers: signedHeaders(event, target),
    body: event.body,
  });
  await response.body.dump();
  if (response.statusCode < 200 || response.statusCode >= 300) {
    throw new Error(`the receiver answered ${response.statusCode}`);
  }
}

function startWorker(): void {
  if (worker) return;
  worker = new Worker<DeliveryJob>(setup.queueName, deliver, {
    connection: connection(),
    concurrency: setup.concurrency,
  });
  worker.on('completed', () => {
    completed += 1;
    for (const waiter of waiters.filter((w) => completed >= w.count)) waiter.resolve();
  });
}

function completedReach(count: number): Promise<void> {
  if (completed >= count) return Promise.resolve();
  return new Promise((resolve) => waiters.push({ count, resolve }));
}

async function enqueueEvent(): Promise<string> {
  const event = benchEvent();
  await queue.addBulk(
    setup.targets.map((target) => ({
      name: 'deliver',
      data: { event, target },
      opts: { attempts: 10, backoff: { type: 'exponential', delay: 5000 } },
    })),
  );
  return event.id;
}

serveCommands({
  async open(given: QueueSetup): Promise<null> {
    setup = given;
    queue = new Queue<DeliveryJob>(setup.queueName, { connection: connection() });
    await queue.waitUntilReady();
    return null;
  },

  async burst(request_: { events: number; writers: number }): Promise<{ elapsedMs: number }> {
    startWorker();
    await worker?.waitUntilReady();
    const before = completed;
    const started = performance.now();
    await writeConcurrently(request_.events, request_.writers, enqueueEvent);
    await completedReach(before + request_.events * setup.targets.length);
    return { elapsedMs: performance.now() - started };
  },

  async paced(request_: { rate: number; durationMs: number }): Promise<Array<[string, number]>> {
    startWorker();
    await worker?.waitUntilReady();
    const enqueued: Array<[string, number]> = [];
    const before = completed;
    const sent = await pace(request_.rate, request_.durationMs, async () => {
      const stamp = sharedNow();
      enqueued.push([await enqueueEvent(), stamp]);
    });
    await completedReach(before + sent * setup.targets.length);
    return enqueued;
  },

  /** Removes the queue and everything it kept from Redis. */
  async close(): Promise<null> {
    await worker?.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await agent.close();
    return null;
  },
});
