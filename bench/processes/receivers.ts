/**
 * Webhook receivers on 127.0.0.1: servers that answer 200 at once and, optionally, one black
 * hole that accepts the request and never answers. They count what arrives per server and can
 * stamp each arrival with the shared clock, keyed by `webhook-id`, for latency.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveCommands } from '../support/ipc.js';
import { sharedNow } from '../support/now.js';

/** What the bench asks for. */
export interface ReceiverSetup {
  healthy: number;
  blackHole: boolean;
}

/** Where the receivers listen. */
export interface ReceiverUrls {
  healthy: string[];
  blackHole: string | null;
}

/** What arrived since the last reset. */
export interface ReceiverStats {
  /** Requests per healthy receiver, in the order of `ReceiverUrls.healthy`. */
  received: number[];
  /** `[webhook-id, arrival]` pairs, when stamping is on. */
  arrivals: Array<[string, number]>;
}

const servers: Server[] = [];
let counts: number[] = [];
let arrivals: Array<[string, number]> = [];
let stamping = false;

async function listen(server: Server): Promise<string> {
  servers.push(server);
  // Keep connections open as long as the sender wants: reuse is what a real receiver offers.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

function healthyServer(index: number): Server {
  return createServer((request, response) => {
    if (stamping) arrivals.push([String(request.headers['webhook-id']), sharedNow()]);
    counts[index] = (counts[index] ?? 0) + 1;
    request.resume();
    request.once('end', () => {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      response.end('ok');
    });
  });
}

serveCommands({
  async start(setup: ReceiverSetup): Promise<ReceiverUrls> {
    counts = Array.from({ length: setup.healthy }, () => 0);
    const healthy: string[] = [];
    for (let i = 0; i < setup.healthy; i++) healthy.push(await listen(healthyServer(i)));
    const blackHole = setup.blackHole
      ? await listen(createServer((request) => request.resume()))
      : null;
    return { healthy, blackHole };
  },

  reset(options: { stamp: boolean }): null {
    counts = counts.map(() => 0);
    arrivals = [];
    stamping = options.stamp;
    return null;
  },

  stats(): ReceiverStats {
    return { received: counts, arrivals };
  },

  async close(): Promise<null> {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    return null;
  },
});
