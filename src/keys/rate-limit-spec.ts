/**
 * A per-key rate limit as written on the command line and in the API: `600/min`, `10/s`,
 * `5000/h`, stored as requests per minute.
 */
const UNIT_MINUTES: Record<string, number> = {
  s: 1 / 60,
  sec: 1 / 60,
  second: 1 / 60,
  m: 1,
  min: 1,
  minute: 1,
  h: 60,
  hour: 60,
};

/**
 * The highest limit a key may have: far above what an API process serves (tens of thousands
 * of requests a second), so that a key meant to be unlimited in practice can be, while a typo
 * of many digits is still refused.
 */
export const MAX_RATE_LIMIT_PER_MINUTE = 100_000_000;

/** Parses `N/unit` into requests per minute; throws with the accepted forms. */
export function parseRateLimit(text: string): number {
  const match = /^\s*(\d+)\s*\/\s*([a-z]+)\s*$/i.exec(text);
  const minutes = match ? UNIT_MINUTES[match[2]!.toLowerCase()] : undefined;
  if (!match || minutes === undefined) {
    throw new Error(`rate limit "${text}" is not valid: write it as 600/min, 10/s or 5000/h`);
  }
  const perMinute = Math.round(Number(match[1]) / minutes);
  if (perMinute < 1 || perMinute > MAX_RATE_LIMIT_PER_MINUTE) {
    throw new Error(
      `rate limit "${text}" must come to between 1 and ${MAX_RATE_LIMIT_PER_MINUTE} requests a minute`,
    );
  }
  return perMinute;
}
