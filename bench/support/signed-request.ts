/**
 * The webhook request the baselines send: the same envelope and Standard Webhooks headers that
 * Lyceum sends, signed with src/webhooks/signing.ts, so every system moves the same bytes.
 */
import { webhookHeaders } from '../../src/webhooks/signing.js';

/** One receiver: where it listens and the secret its requests are signed with. */
export interface Target {
  url: string;
  secret: string;
}

/** An event as the baselines carry it. */
export interface BenchEvent {
  id: string;
  body: string;
}

let sequence = 0;

/** A `user.created` envelope with an id unique within this process. */
export function benchEvent(): BenchEvent {
  sequence += 1;
  const id = `evt_bench${process.pid}x${sequence}`;
  const body = JSON.stringify({
    id,
    type: 'user.created',
    timestamp: new Date().toISOString(),
    data: { userId: `usr_bench${sequence}` },
  });
  return { id, body };
}

/** The headers of one attempt of `event` to `target`, signed now. */
export function signedHeaders(event: BenchEvent, target: Target): Record<string, string> {
  return webhookHeaders({
    messageId: event.id,
    timestampSeconds: Math.floor(Date.now() / 1000),
    body: event.body,
    secrets: [target.secret],
  });
}
