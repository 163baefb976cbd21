/**
 * When a failed delivery is tried again. The operator's schedule (LYCEUM_WEBHOOK_RETRY_SCHEDULE)
 * gives the delays; this file adds jitter, honours Retry-After and keeps every retry inside the
 * retry window.
 */

/** How long a delivery keeps being retried after its first failure. */
export const DEFAULT_MAX_WINDOW_MS = 24 * 60 * 60 * 1000;

/** A receiver asking for less than a second would have us hammer it; one second is the floor. */
export const MIN_RETRY_AFTER_MS = 1000;

/**
 * A receiver cannot park a delivery for longer than six hours (the longest gap in the default
 * schedule but one): a longer wait would spend most of the 24-hour window on a single pause.
 */
export const MAX_RETRY_AFTER_MS = 6 * 60 * 60 * 1000;

/** Each delay is stretched or shrunk by up to this fraction, so failed bursts spread out. */
export const JITTER = 0.1;

/** A retry moved to the window's deadline must still be at least this far away. */
const MIN_DEADLINE_GAP_MS = 1000;

/** What `planRetry` needs to decide. */
export interface RetryInput {
  /** Delays in milliseconds between consecutive attempts. */
  schedule: readonly number[];
  /** Attempts made so far in the current retry window; 1 after the first failure. */
  attemptsInWindow: number;
  /** Epoch ms when the current retry window began (the first attempt of the window). */
  windowStartedAt: number;
  now: number;
  /** A number in [0, 1); `Math.random` in production, fixed in tests. */
  random: () => number;
  /** The delay a 429 or 503 asked for through Retry-After, when it did. */
  retryAfterMs?: number | null;
  maxWindowMs?: number;
}

/**
 * Epoch ms of the next attempt, or null when the delivery should give up.
 *
 * The delay after attempt n is `schedule[n-1] × (0.9 + 0.2 × random())`, or the receiver's
 * Retry-After clamped to [1 s, 6 h]. No retry is placed after `windowStartedAt + maxWindowMs`:
 * one that would fall later is moved to the deadline, or dropped when the deadline is less
 * than a second away.
 *
 * The default schedule, 5s,30s,2m,10m,30m,1h,2h,4h,6h,8h, adds up to 78,155 s (21.7 h). Even
 * if every delay drew the maximal jitter (×1.1) the last attempt comes after 85,970.5 s
 * (23.9 h); adding a full 15 s timeout for each of the 11 attempts still ends by 86,135.5 s,
 * under the 86,400 s of the window. So the deadline never cuts the default schedule short; only
 * Retry-After waits or a longer operator schedule can reach it.
 */
export function planRetry(input: RetryInput): number | null {
  const { schedule, attemptsInWindow, windowStartedAt, now, random } = input;
  const scheduled = schedule[attemptsInWindow - 1];
  if (scheduled === undefined || attemptsInWindow > schedule.length) return null;

  const delay =
    input.retryAfterMs != null
      ? clamp(input.retryAfterMs, MIN_RETRY_AFTER_MS, MAX_RETRY_AFTER_MS)
      : scheduled * (1 - JITTER + 2 * JITTER * random());
  const next = now + Math.round(delay);

  const deadline = windowStartedAt + (input.maxWindowMs ?? DEFAULT_MAX_WINDOW_MS);
  if (next <= deadline) return next;
  return deadline >= now + MIN_DEADLINE_GAP_MS ? deadline : null;
}

/**
 * A Retry-After header as milliseconds from `now`: either delay-seconds (`120`) or an
 * HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`). A date in the past is 0; anything else is null.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  const text = value?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;

  // Date.parse accepts far more than HTTP dates ("12.5" is a day in December), so ask for the
  // day name every HTTP-date format starts with.
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
