/**
 * Per-key rate limiting with a shared store when Redis is configured.
 *
 * Failure policy: when Redis cannot be reached, the limiter FAILS OPEN TO PER-PROCESS LIMITS:
 * each API process keeps enforcing every key's limit from its own memory, so a Redis outage
 * neither takes the API down nor leaves it unlimited; the shared budget is only multiplied by
 * the number of processes until Redis is back. The outage is logged once when it starts and
 * once when it ends, and `/readyz` reports it (without failing readiness).
 */

import { errorMessage } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { MemoryBucketStore } from './memory-store.js';
import { RedisBucketStore } from './redis-store.js';
import type { BucketPolicy, TakeResult } from './token-bucket.js';

export interface LimiterHealth {
  store: 'memory' | 'redis';
  ok: boolean;
  error?: string;
}

export class RateLimiter {
  private readonly local = new MemoryBucketStore();
  private readonly shared: RedisBucketStore | undefined;
  private sharedError: string | undefined;

  constructor(
    private readonly logger: Logger,
    redisUrl: string | undefined,
  ) {
    this.shared = redisUrl ? new RedisBucketStore(redisUrl) : undefined;
  }

  /**
   * `take` answered at once when the buckets are in this process's memory (no Redis
   * configured); undefined when the shared store has to be asked.
   */
  takeNow(bucketKey: string, policy: BucketPolicy, now: number): TakeResult | undefined {
    return this.shared ? undefined : this.local.takeNow(bucketKey, policy, now);
  }

  /** Takes one request from the bucket of `bucketKey`. */
  async take(bucketKey: string, policy: BucketPolicy, now: number): Promise<TakeResult> {
    if (!this.shared) return this.local.take(bucketKey, policy, now);
    try {
      const result = await this.shared.take(bucketKey, policy, now);
      this.recovered();
      return result;
    } catch (error) {
      this.failed(error);
      return this.local.take(bucketKey, policy, now);
    }
  }

  /** The limiter's state for `/readyz`. */
  async health(): Promise<LimiterHealth> {
    if (!this.shared) return { store: 'memory', ok: true };
    try {
      await this.shared.ping();
      this.recovered();
      return { store: 'redis', ok: true };
    } catch (error) {
      this.failed(error);
      return {
        store: 'redis',
        ok: false,
        error: `${this.sharedError ?? 'unreachable'}; enforcing per-process limits until it is back`,
      };
    }
  }

  async close(): Promise<void> {
    await this.shared?.close();
  }

  private failed(error: unknown): void {
    if (this.sharedError === undefined) {
      this.logger.warn(
        { err: { message: errorMessage(error) } },
        'Redis is unreachable: rate limits fall back to per-process buckets',
      );
    }
    this.sharedError = errorMessage(error);
  }

  private recovered(): void {
    if (this.sharedError === undefined) return;
    this.sharedError = undefined;
    this.logger.info('Redis is reachable again: rate limits are shared once more');
  }
}
