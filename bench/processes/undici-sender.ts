/**
 * Baseline (a), the physical limit: the same signed bodies POSTed with undici to the same
 * receivers at the same concurrency, with nothing read from or written to any store. Requests
 * are signed before the clock starts, so only the HTTP work is timed.
 */
import { Agent, request } from 'undici';
import { serveCommands } from '../support/ipc.js';
import { benchEvent, signedHeaders, type Target } from '../support/signed-request.js';

interface Prepared {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/**
 * Connections per origin, as Lyceum's sender keeps. One agent for the process's life, as
 * Lyceum's dispatcher and the BullMQ worker keep theirs, so a measured burst after a warm-up
 * reuses the warm-up's connections in all three.
 */
const agent = new Agent({ connections: 32 });

serveCommands({
  async burst(request_: {
    targets: Target[];
    events: number;
    concurrency: number;
  }): Promise<{ elapsedMs: number }> {
    const { targets, events, concurrency } = request_;
    const prepared: Prepared[] = [];
    for (let i = 0; i < events; i++) {
      const event = benchEvent();
      for (const target of targets) {
        prepared.push({ url: target.url, body: event.body, headers: signedHeaders(event, target) });
      }
    }

    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < prepared.length) {
        const item = prepared[next++]!;
        const response = await request(item.url, {
          dispatcher: agent,
          method: 'POST',
          headers: item.headers,
          body: item.body,
        });
        await response.body.dump();
        if (response.statusCode !== 200)
          throw new Error(`receiver answered ${response.statusCode}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { elapsedMs: performance.now() - started };
  },
});
