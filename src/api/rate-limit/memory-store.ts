/**
 * Buckets in this process's memory: the default, and the fallback while Redis is unreachable.
 */
import { type BucketPolicy, type BucketState, type TakeResult, takeToken } from './token-bucket.js';

/** Where buckets live. */
export interface BucketStore {
  take(bucketKey: string, policy: BucketPolicy, now: number): Promise<TakeResult>;
}

const MAX_BUCKETS = 100_000;

export class MemoryBucketStore implements BucketStore {
  private readonly buckets = new Map<string, BucketState>();

  async take(bucketKey: string, policy: BucketPolicy, now: number): Promise<TakeResult> {
    return this.takeNow(bucketKey, policy, now);
  }

  /** `take`, answered at once: memory needs no waiting. */
  takeNow(bucketKey: string, policy: BucketPolicy, now: number): TakeResult {
    const { state, result } = takeToken(this.buckets.get(bucketKey), policy, now);
    // A full map is cleared rather than grown: forgetting buckets only ever grants requests.
    if (this.buckets.size >= MAX_BUCKETS && !this.buckets.has(bucketKey)) this.buckets.clear();
    this.buckets.set(bucketKey, state);
    return result;
  }
}
