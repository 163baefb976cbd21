/**
 * The rate-limit hook: after authentication, every keyed request takes a token from its key's
 * bucket. Every answer carries the X-RateLimit headers; over the limit the answer is a 429 with
 * Retry-After and a problem body carrying `retryAfter` (seconds).
 *
 * X-RateLimit-Limit is the key's sustained rate per minute, X-RateLimit-Remaining the requests
 * that could be sent right now, X-RateLimit-Reset the Unix second at which the bucket is full.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Clock } from '../../shared/clock.js';
import { ApiProblem } from '../problem.js';
import type { LyceumApp } from '../types.js';
import type { RateLimiter } from './rate-limiter.js';
import { type BucketPolicy, policyFor, type TakeResult } from './token-bucket.js';

export function installRateLimit(app: LyceumApp, limiter: RateLimiter, clock: Clock): void {
  // A callback hook: with buckets in memory the answer is known at once, and skipping the
  // promise is measurable on the hot path; only Redis is waited for.
  app.addHook(
    'onRequest',
    function rateLimit(
      request: FastifyRequest,
      reply: FastifyReply,
      done: HookHandlerDoneFunction,
    ) {
      const key = request.apiKey;
      if (!key) return done();

      const policy = policyFor(key.rateLimitPerMinute, key.rateLimitBurst);
      const now = clock.now();
      const local = limiter.takeNow(key.id, policy, now);
      if (local) return done(applyLimit(reply, policy, local));
      limiter
        .take(key.id, policy, now)
        .then((result) => done(applyLimit(reply, policy, result)), done);
    },
  );
}

/** Sets the X-RateLimit headers; over the limit, Retry-After and the 429 problem to answer. */
function applyLimit(
  reply: FastifyReply,
  policy: BucketPolicy,
  result: TakeResult,
): ApiProblem | undefined {
  reply.header('x-ratelimit-limit', policy.perMinute);
  reply.header('x-ratelimit-remaining', result.remaining);
  reply.header('x-ratelimit-reset', Math.ceil(result.resetAt / 1000));
  if (result.allowed) return undefined;

  const retryAfter = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  reply.header('retry-after', retryAfter);
  return new ApiProblem(
    429,
    'rate-limited',
    `This API key may make ${policy.perMinute} requests a minute (bursts of ${policy.capacity}); wait ${retryAfter} s before retrying.`,
    { retryAfter },
  );
}
