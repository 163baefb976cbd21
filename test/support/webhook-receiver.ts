/**
 * Real webhook receivers for tests: node:http servers on 127.0.0.1 that record every request
 * and answer however a test scripts them (a status, a slow answer, a reset, silence). They also
 * count how many requests are open at once, to check concurrency limits.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  /** Wall-clock arrival, for ordering only. */
  receivedAt: number;
}

/** Answers request number `index` (from 0); may leave `response` unanswered on purpose. */
export type Responder = (
  request: ReceivedRequest,
  response: ServerResponse,
  index: number,
  raw: IncomingMessage,
) => void | Promise<void>;

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** The most requests that were open at the same time. */
  maxConcurrent: number;
  /** Requests open right now. */
  open: number;
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Answers every request with `status` (200 by default). */
export function answer(status = 200, headers: Record<string, string> = {}): Responder {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'text/plain', ...headers });
    response.end(status < 300 ? 'ok' : `status ${status}`);
  };
}

/** Answers the requests in turn with `responders`, repeating the last one. */
export function inTurn(...responders: Responder[]): Responder {
  return (request, response, index, raw) => {
    const responder = responders[Math.min(index, responders.length - 1)];
    return responder?.(request, response, index, raw);
  };
}

/** Never answers: the request stays open until the sender gives up or the receiver closes. */
export const blackHole: Responder = () => {};

/** Drops the connection without an answer. */
export const reset: Responder = (_request, _response, _index, raw) => {
  raw.socket.destroy();
};

/** Answers with `status` after `delayMs` (the receiver's own timer, not the test's clock). */
export function answerAfter(delayMs: number, status = 200): Responder {
  return (request, response, index, raw) =>
    new Promise<void>((resolve) => {
      setTimeout(() => {
        if (!response.destroyed) answer(status)(request, response, index, raw);
        resolve();
      }, delayMs);
    });
}

/** Starts a receiver on a free port of 127.0.0.1. */
export async function startReceiver(respond: Responder = answer()): Promise<Receiver> {
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const receiver: Receiver = {
    url: '',
    requests: [],
    maxConcurrent: 0,
    open: 0,
    waitForRequests: (count, timeoutMs = 5000) => waitFor(count, timeoutMs),
    close: () => closeServer(),
  };

  const server = createServer((raw, response) => {
    receiver.open += 1;
    receiver.maxConcurrent = Math.max(receiver.maxConcurrent, receiver.open);
    response.once('close', () => {
      receiver.open -= 1;
    });
    const chunks: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => chunks.push(chunk));
    raw.on('end', () => {
      const request = {
        headers: raw.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      const index = receiver.requests.push(request) - 1;
      for (const waiter of waiters.filter((w) => receiver.requests.length >= w.count)) {
        waiter.resolve();
      }
      void Promise.resolve(respond(request, response, index, raw)).catch(() => {
        if (!response.headersSent) response.writeHead(500).end();
      });
    });
  });

  function waitFor(count: number, timeoutMs: number): Promise<void> {
    if (receiver.requests.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`expected ${count} requests, got ${receiver.requests.length}`)),
        timeoutMs,
      );
      waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  function closeServer(): Promise<void> {
    return new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}/hook`;
  return receiver;
}

/** Polls `check` until it holds; for state that changes in the background (a started dispatcher). */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
