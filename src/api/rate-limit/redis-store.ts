/**
 * Buckets in Redis, so that every API process spends from one budget per key. The token-bucket
 * step runs as one Lua script, atomically, with the same arithmetic as token-bucket.ts.
 *
 * Redis being unreachable must not take the API down: commands fail fast (no offline queue,
 * short timeouts) and the caller falls back to per-process buckets.
 */
import { Redis } from 'ioredis';
import type { BucketStore } from './memory-store.js';
import type { BucketPolicy, TakeResult } from './token-bucket.js';

const TAKE_SCRIPT = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil then
  tokens = capacity
else
  local elapsed = math.max(0, now - updated)
  tokens = math.min(capacity, tokens + elapsed * rate)
end
local allowed = 0
if tokens >= 1 then
  allowed = 1
  tokens = tokens - 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
return { allowed, tostring(tokens) }
`;

const KEY_PREFIX = 'lyceum:ratelimit:';

export class RedisBucketStore implements BucketStore {
  readonly redis: Redis;

  constructor(url: string) {
    this.redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      commandTimeout: 250,
      lazyConnect: false,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    this.redis.defineCommand('lyceumTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    // Connection errors are reported through health(); without a listener they would be thrown.
    this.redis.on('error', () => {});
  }

  async take(bucketKey: string, policy: BucketPolicy, now: number): Promise<TakeResult> {
    const ratePerMs = policy.perMinute / 60_000;
    const command = this.redis as unknown as {
      lyceumTakeToken(key: string, ...args: string[]): Promise<[number, string]>;
    };
    const [allowed, tokensText] = await command.lyceumTakeToken(
      KEY_PREFIX + bucketKey,
      String(policy.capacity),
      String(ratePerMs),
      String(now),
    );
    const tokens = Number(tokensText);
    return {
      allowed: allowed === 1,
      remaining: Math.floor(tokens),
      resetAt: now + Math.ceil((policy.capacity - tokens) / ratePerMs),
      retryAfterMs: allowed === 1 ? 0 : Math.ceil((1 - tokens) / ratePerMs),
    };
  }

  /** Whether Redis answers right now. */
  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
