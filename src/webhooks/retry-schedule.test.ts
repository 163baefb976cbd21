import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, parseDuration } from '../config.js';
import {
  DEFAULT_MAX_WINDOW_MS,
  MAX_RETRY_AFTER_MS,
  MIN_RETRY_AFTER_MS,
  parseRetryAfter,
  planRetry,
} from './retry-schedule.js';

const SECOND = 1000;
const HOUR = 3_600_000;
const START = Date.parse('2026-01-01T00:00:00.000Z');
const defaultSchedule = DEFAULT_RETRY_SCHEDULE.split(',').map((part) => parseDuration(part)!);

const fixed = (value: number) => () => value;

describe('planRetry', () => {
  const base = {
    schedule: [5 * SECOND, 30 * SECOND, 2 * 60 * SECOND],
    windowStartedAt: START,
    now: START,
    random: fixed(0.5),
  };

  it('waits the scheduled delay for the attempt just made', () => {
    expect(planRetry({ ...base, attemptsInWindow: 1 })).toBe(START + 5 * SECOND);
    expect(planRetry({ ...base, attemptsInWindow: 2 })).toBe(START + 30 * SECOND);
    expect(planRetry({ ...base, attemptsInWindow: 3 })).toBe(START + 120 * SECOND);
  });

  it('applies jitter of ±10%', () => {
    expect(planRetry({ ...base, attemptsInWindow: 2, random: fixed(0) })).toBe(START + 27_000);
    expect(planRetry({ ...base, attemptsInWindow: 2, random: fixed(0.25) })).toBe(START + 28_500);
    const highest = planRetry({ ...base, attemptsInWindow: 2, random: fixed(0.999999) })!;
    expect(highest - START).toBeGreaterThan(32_999);
    expect(highest - START).toBeLessThanOrEqual(33_000);
  });

  it('gives up once every scheduled delay was used', () => {
    expect(planRetry({ ...base, attemptsInWindow: 4 })).toBeNull();
    expect(planRetry({ ...base, attemptsInWindow: 0 })).toBeNull();
    expect(planRetry({ ...base, schedule: [], attemptsInWindow: 1 })).toBeNull();
  });

  it('honours Retry-After instead of the schedule, without jitter, within [1 s, 6 h]', () => {
    const at = (retryAfterMs: number | null) =>
      planRetry({ ...base, attemptsInWindow: 1, retryAfterMs, random: fixed(0.9) });
    expect(at(7 * SECOND)).toBe(START + 7 * SECOND);
    expect(at(0)).toBe(START + MIN_RETRY_AFTER_MS);
    expect(at(48 * HOUR)).toBe(START + MAX_RETRY_AFTER_MS);
    expect(at(null)).toBe(START + 5_400);
    expect(planRetry({ ...base, attemptsInWindow: 4, retryAfterMs: 7 * SECOND })).toBeNull();
  });

  it('moves a retry that would fall after the window to the deadline, or gives up', () => {
    const late = { ...base, schedule: [8 * HOUR], attemptsInWindow: 1 };
    const deadline = START + DEFAULT_MAX_WINDOW_MS;
    expect(planRetry({ ...late, now: START + 20 * HOUR })).toBe(deadline);
    expect(planRetry({ ...late, now: deadline - 2 * SECOND })).toBe(deadline);
    expect(planRetry({ ...late, now: deadline - 500 })).toBeNull();
    expect(planRetry({ ...late, now: deadline + 1 })).toBeNull();
    expect(planRetry({ ...late, now: START, maxWindowMs: HOUR })).toBe(START + HOUR);
  });

  it('fits the whole default schedule in 24 h even when every delay draws maximal jitter', () => {
    const total = defaultSchedule.reduce((sum, delay) => sum + delay, 0);
    expect(total).toBe(78_155 * SECOND);
    expect(total * 1.1).toBeLessThan(DEFAULT_MAX_WINDOW_MS);
    // Even with a full 15 s timeout for each of the 11 attempts.
    expect(total * 1.1 + 11 * 15 * SECOND).toBeLessThan(DEFAULT_MAX_WINDOW_MS);

    let now = START;
    let attempts = 1;
    for (;;) {
      const next = planRetry({
        schedule: defaultSchedule,
        attemptsInWindow: attempts,
        windowStartedAt: START,
        now,
        random: fixed(0.999999999),
      });
      if (next === null) break;
      expect(next).toBeLessThan(START + DEFAULT_MAX_WINDOW_MS);
      expect(next - now).toBeCloseTo(defaultSchedule[attempts - 1]! * 1.1, -1);
      now = next + 15 * SECOND;
      attempts += 1;
    }
    expect(attempts).toBe(defaultSchedule.length + 1);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00.000Z');

  it.each([
    ['7', 7000],
    [' 120 ', 120_000],
    ['0', 0],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Thursday, 01-Jan-26 00:01:00 GMT', 60_000],
    ['Thu Jan  1 00:00:05 2026', 5000],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0],
  ])('reads %j as %i ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it.each([undefined, '', '  ', '-5', '1.5', '12.5', 'soon', 'Thu, garbage', '5 seconds'])(
    'ignores %j',
    (value) => {
      expect(parseRetryAfter(value, now)).toBeNull();
    },
  );
});
