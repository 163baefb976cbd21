/**
 * The rate-limit hook: after authentication, every keyed request takes a token from its key's
 * bucket. Every answer carries the X-RateLimit headers; over the limit the answer is a 429 with
 * Retry-After and a problem body carrying `retryAfter` (seconds).
 *
 * X-RateLimit-Limit is the key's sustained rate per minute, X-RateLimit-Remaining the requests
 * that could be sent right now, X-RateLimit-Reset the Unix second at which the bucket is full.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../shared/clock.js';
import { ApiProblem } from '../problem.js';
import type { LyceumApp } from '../types.js';
import type { RateLimiter } from './rate-limiter.js';
import { policyFor } from './token-bucket.js';

export function installRateLimit(app: LyceumApp, limiter: RateLimiter, clock: Clock): void {
  app.addHook('onRequest', async function rateLimit(request: FastifyRequest, reply: FastifyReply) {
    const key = request.apiKey;
    if (!key) return;

    const policy = policyFor(key.rateLimitPerMinute, key.rateLimitBurst);
    const result = await limiter.take(key.id, policy, clock.now());
    reply.header('x-ratelimit-limit', policy.perMinute);
    reply.header('x-ratelimit-remaining', result.remaining);
    reply.header('x-ratelimit-reset', Math.ceil(result.resetAt / 1000));
    if (result.allowed) return;

    const retryAfter = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
    reply.header('retry-after', retryAfter);
    throw new ApiProblem(
      429,
      'rate-limited',
      `This API key may make ${policy.perMinute} requests a minute (bursts of ${policy.capacity}); wait ${retryAfter} s before retrying.`,
      { retryAfter },
    );
  });
}
