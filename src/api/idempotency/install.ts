/**
 * Idempotent POSTs. A POST carrying `Idempotency-Key` claims that key for its API key before the
 * work starts; the first answer (any status below 500) is stored and replayed for 24 hours to a
 * request with the same key and the same method, path and body, marked
 * `Idempotent-Replayed: true`. The same key with a different request is refused (422); a
 * request arriving while the first still runs gets a 409 and may retry; a 5xx frees the key so
 * a retry does the work.
 *
 * A route whose answer holds a secret shown only once (a new API key) opts out of storing it
 * with `config.replay = false`: a repeat there is a 409 instead of a replay.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { ApiProblem } from '../problem.js';
import type { LyceumApp } from '../types.js';
import { IdempotencyStore } from './idempotency-store.js';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
/** Roughly how often (in requests) expired keys are purged. */
const PURGE_EVERY = 1000;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: never store this route's answer for replay (it holds a one-time secret). */
    replay?: boolean;
  }
  interface FastifyRequest {
    idempotencyKey: string | undefined;
  }
}

function requestHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
}

export function installIdempotency(app: LyceumApp, context: AppContext): void {
  const store = new IdempotencyStore(context.database);
  let requests = 0;
  app.decorateRequest('idempotencyKey', undefined);

  const claimKey = async function claimIdempotencyKey(
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    const header = request.headers['idempotency-key'];
    if (request.method !== 'POST' || header === undefined || !request.apiKey) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || !KEY_FORMAT.test(key)) {
      throw new ApiProblem(
        400,
        'invalid-idempotency-key',
        'Idempotency-Key must be 1 to 255 visible ASCII characters, e.g. a UUID.',
      );
    }

    const now = context.clock.now();
    if (++requests % PURGE_EVERY === 0) await store.purgeExpired(now);
    const hash = requestHash(request);
    const claim = await store.claim(request.apiKey.id, key, hash, now);
    if (claim.kind === 'claimed') {
      request.idempotencyKey = key;
      return;
    }

    const { row } = claim;
    if (row.request_hash !== hash) {
      throw new ApiProblem(
        422,
        'idempotency-key-reused',
        'This Idempotency-Key was used with a different request in the last 24 hours; use a new key for a new request.',
      );
    }
    if (row.state !== 'completed' || row.response_status === null) {
      throw new ApiProblem(
        409,
        'idempotency-key-in-use',
        'A request with this Idempotency-Key is still being processed; retry it in a moment.',
      );
    }
    if (request.routeOptions.config.replay === false) {
      throw new ApiProblem(
        409,
        'idempotency-key-used',
        'The first request with this Idempotency-Key already succeeded; its answer held a secret that is shown only once.',
      );
    }
    return reply
      .code(row.response_status)
      .header('idempotent-replayed', 'true')
      .type(row.response_type ?? 'application/json')
      .send(row.response_body ?? '');
  };

  const storeAnswer = async function storeIdempotentAnswer(
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
  ) {
    const key = request.idempotencyKey;
    if (key === undefined || !request.apiKey) return payload;
    request.idempotencyKey = undefined;

    if (reply.statusCode >= 500) {
      await store.release(request.apiKey.id, key);
      return payload;
    }
    const keep = request.routeOptions.config.replay !== false;
    await store.complete(request.apiKey.id, key, {
      status: reply.statusCode,
      type: String(reply.getHeader('content-type') ?? 'application/json'),
      body: keep && typeof payload === 'string' ? payload : '',
    });
    return payload;
  };

  // Only a POST can be idempotent, so only POST routes carry the hooks: every other request
  // skips them entirely instead of entering two async hooks that return at once.
  app.addHook('onRoute', function idempotentPosts(route) {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes('POST')) return;
    route.preHandler = [...hookList(route.preHandler), claimKey];
    route.onSend = [...hookList(route.onSend), storeAnswer];
  });
}

function hookList<T>(hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? hooks : [hooks];
}
