/**
 * The webhook receiver: verify the signature, drop a webhook id already received, answer 2xx
 * at once, then hydrate and write in the background, one event at a time. The receipt is
 * written before answering, so an event that was acknowledged but not yet processed when the
 * process stopped is processed at the next start.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  LyceumApiError,
  type LyceumClient,
  type LyceumEvent,
  verifyWebhook,
  WebhookVerificationError,
} from '@lyceum/sdk';
import type { HrisStore } from './hris-store.js';
import { applyEvent } from './hydrate.js';

/** What the receiver needs. */
export interface HrisReceiverOptions {
  client: LyceumClient;
  store: HrisStore;
  /** The endpoint's signing secrets; two during a rotation. */
  secrets: string[];
  /** Where to report what happened; silent by default. */
  log?: (message: string) => void;
}

/** Counts, for operators and tests. */
export interface ReceiverStats {
  accepted: number;
  duplicates: number;
  refused: number;
  processed: number;
  failed: number;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** A running receiver. */
export interface HrisReceiver {
  /** `http://host:port/`; any path receives webhooks. */
  url: string;
  stats: ReceiverStats;
  /** Replaces the signing secrets, e.g. after a rotation. */
  useSecrets(secrets: string[]): void;
  /** Resolves once every accepted event has been processed. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the receiver on `port` of `host`, after processing what a previous run left. */
export async function startHrisReceiver(
  options: HrisReceiverOptions,
  port = 0,
  host = '127.0.0.1',
): Promise<HrisReceiver> {
  const log = options.log ?? (() => {});
  let secrets = [...options.secrets];
  const stats: ReceiverStats = { accepted: 0, duplicates: 0, refused: 0, processed: 0, failed: 0 };
  let queue: Promise<void> = Promise.resolve();

  const enqueue = (webhookId: string, event: LyceumEvent) => {
    queue = queue.then(() => processEvent(webhookId, event, options, stats, log));
  };
  for (const receipt of options.store.pendingReceipts()) {
    enqueue(receipt.webhookId, JSON.parse(receipt.payload) as LyceumEvent);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`could not handle a request: ${String(error)}`);
      if (!response.headersSent) response.writeHead(500).end();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') return void response.writeHead(405).end();
    const body = await readBody(request);
    if (body === undefined) return void response.writeHead(413).end();

    let event: LyceumEvent | undefined;
    let lastError: unknown;
    for (const secret of secrets) {
      try {
        event = await verifyWebhook(body, request.headers, secret);
        break;
      } catch (error) {
        lastError = error;
      }
    }
    if (event === undefined) {
      stats.refused += 1;
      const reason =
        lastError instanceof WebhookVerificationError ? lastError.reason : 'no_secret_configured';
      log(`refused a webhook: ${reason}`);
      return void response.writeHead(400, { 'content-type': 'text/plain' }).end(reason);
    }

    // The webhook-id is signed, and equal to the event id: the key to drop duplicates by.
    const webhookId = String(request.headers['webhook-id']);
    if (!options.store.recordReceipt(webhookId, event.type, new TextDecoder().decode(body))) {
      stats.duplicates += 1;
      log(`dropped duplicate ${webhookId} (${event.type})`);
      return void response.writeHead(200, { 'content-type': 'text/plain' }).end('duplicate');
    }
    stats.accepted += 1;
    response.writeHead(202, { 'content-type': 'text/plain' }).end('accepted');
    enqueue(webhookId, event);
  }

  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/`,
    stats,
    useSecrets: (next) => {
      secrets = [...next];
    },
    idle: () => queue,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await queue;
    },
  };
}

async function processEvent(
  webhookId: string,
  event: LyceumEvent,
  { client, store }: HrisReceiverOptions,
  stats: ReceiverStats,
  log: (message: string) => void,
): Promise<void> {
  try {
    await applyEvent(event, client, store);
    store.finishReceipt(webhookId);
    stats.processed += 1;
    log(`processed ${event.type} ${webhookId}`);
  } catch (error) {
    stats.failed += 1;
    // A 4xx other than 429 will not change by retrying (the record is gone); anything else
    // (Lyceum down, rate limited past the client's retries) is retried at the next start.
    const permanent = error instanceof LyceumApiError && error.status < 500 && error.status !== 429;
    if (permanent) store.finishReceipt(webhookId, String(error));
    else store.noteFailure(webhookId, String(error));
    log(`could not process ${event.type} ${webhookId}: ${String(error)}`);
  }
}

async function readBody(request: IncomingMessage): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
