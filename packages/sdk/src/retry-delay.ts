/**
 * When to try a request again, as one table: rate limited (429) after `Retry-After`, a server
 * failure (5xx) after `Retry-After` or a backoff, a network failure after a backoff, and the
 * idempotency conflict of a first request still running (409 `idempotency-key-in-use`) after a
 * backoff. Nothing else is retried: any other 4xx fails the same way until the request changes.
 */

/** The settings that shape the waits. */
export interface RetryTiming {
  /** The first backoff, doubled on each retry; 500 ms by default. */
  retryBaseMs: number;
  /** The longest backoff, and the longest `Retry-After` the client waits for. */
  maxRetryDelayMs: number;
  /** A number in [0, 1), for jitter; `Math.random` by default. */
  random: () => number;
}

const IN_USE = 'urn:lyceum:problem:idempotency-key-in-use';

/**
 * Exponential backoff with jitter: half of the doubled delay is random, so clients that failed
 * together do not come back together.
 */
export function backoffMs(retry: number, timing: RetryTiming): number {
  const ceiling = Math.min(timing.maxRetryDelayMs, timing.retryBaseMs * 2 ** retry);
  return Math.round(ceiling / 2 + (ceiling / 2) * timing.random());
}

/** The wait a `Retry-After` header asks for (seconds or an HTTP date), if it is readable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long to wait before retrying an answer with `status`, or undefined when it must not be
 * retried. A `Retry-After` beyond `maxRetryDelayMs` is not waited for: the error goes back to
 * the caller, who can decide to come back later.
 */
export function retryDelayFor(
  status: number,
  problemType: string,
  retryAfter: string | null,
  retry: number,
  timing: RetryTiming,
): number | undefined {
  const asked = retryAfterMs(retryAfter);
  if (status === 429 || status >= 500) {
    if (asked === undefined) return backoffMs(retry, timing);
    return asked <= timing.maxRetryDelayMs ? asked : undefined;
  }
  if (status === 409 && problemType === IN_USE) return backoffMs(retry, timing);
  return undefined;
}
