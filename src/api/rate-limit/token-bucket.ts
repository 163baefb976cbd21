/**
 * The token bucket behind per-key rate limits. A bucket holds up to `capacity` tokens (the
 * burst) and refills continuously at `perMinute` tokens a minute; a request takes one token.
 * The same arithmetic runs in memory and, as a Lua script, inside Redis.
 */

export interface BucketPolicy {
  /** Sustained requests a minute. */
  perMinute: number;
  /** Requests that may arrive at once after a quiet spell. */
  capacity: number;
}

export interface BucketState {
  tokens: number;
  updatedAt: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Whole requests that could be made right now after this one. */
  remaining: number;
  /** When the bucket will be full again (epoch ms). */
  resetAt: number;
  /** When denied: how long until one token is back. */
  retryAfterMs: number;
}

/** The default policy: 120 requests a minute with a burst of 20. */
export const DEFAULT_POLICY: BucketPolicy = { perMinute: 120, capacity: 20 };

/** The policy of a key: its own rate, with a burst of a tenth-minute's worth (at least 20). */
export function policyFor(perMinute: number | null, burst: number | null): BucketPolicy {
  if (perMinute === null) return DEFAULT_POLICY;
  return { perMinute, capacity: burst ?? Math.max(20, Math.ceil(perMinute / 6)) };
}

/** Takes one token from `state` at `now`; returns the new state and the verdict. */
export function takeToken(
  state: BucketState | undefined,
  policy: BucketPolicy,
  now: number,
): { state: BucketState; result: TakeResult } {
  const ratePerMs = policy.perMinute / 60_000;
  const elapsed = state ? Math.max(0, now - state.updatedAt) : 0;
  const available = state
    ? Math.min(policy.capacity, state.tokens + elapsed * ratePerMs)
    : policy.capacity;

  const allowed = available >= 1;
  const tokens = allowed ? available - 1 : available;
  const result: TakeResult = {
    allowed,
    remaining: Math.floor(tokens),
    resetAt: now + Math.ceil((policy.capacity - tokens) / ratePerMs),
    retryAfterMs: allowed ? 0 : Math.ceil((1 - tokens) / ratePerMs),
  };
  return { state: { tokens, updatedAt: now }, result };
}
