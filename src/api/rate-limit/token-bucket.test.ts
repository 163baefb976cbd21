import { describe, expect, it } from 'vitest';
import { type BucketState, DEFAULT_POLICY, policyFor, takeToken } from './token-bucket.js';

describe('token bucket', () => {
  it('allows the burst at once, then one request per refill interval', () => {
    let state: BucketState | undefined;
    const verdicts: boolean[] = [];
    for (let i = 0; i < 21; i++) {
      const step = takeToken(state, DEFAULT_POLICY, 1_000_000);
      state = step.state;
      verdicts.push(step.result.allowed);
    }
    expect(verdicts.filter(Boolean)).toHaveLength(20);
    expect(verdicts.at(-1)).toBe(false);

    const denied = takeToken(state, DEFAULT_POLICY, 1_000_000).result;
    expect(denied.retryAfterMs).toBe(500); // 120 a minute = one token every 500 ms
    expect(takeToken(state, DEFAULT_POLICY, 1_000_499).result.allowed).toBe(false);
    expect(takeToken(state, DEFAULT_POLICY, 1_000_500).result.allowed).toBe(true);
  });

  it('reports remaining requests and when the bucket is full again', () => {
    const first = takeToken(undefined, DEFAULT_POLICY, 0).result;
    expect(first.remaining).toBe(19);
    expect(first.resetAt).toBe(500);
  });

  it('never holds more than its capacity after a quiet spell', () => {
    const quiet = takeToken({ tokens: 0, updatedAt: 0 }, DEFAULT_POLICY, 3_600_000).result;
    expect(quiet.remaining).toBe(19);
  });

  it('derives a burst from a per-key rate', () => {
    expect(policyFor(null, null)).toEqual(DEFAULT_POLICY);
    expect(policyFor(6000, null)).toEqual({ perMinute: 6000, capacity: 1000 });
    expect(policyFor(30, null)).toEqual({ perMinute: 30, capacity: 20 });
    expect(policyFor(600, 5)).toEqual({ perMinute: 600, capacity: 5 });
  });
});
