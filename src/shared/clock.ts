/**
 * The one source of time. Everything that waits or stamps (retries, leases, rate limits,
 * expiry, record timestamps) reads it from here, so a test can move time forward at will.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** Wall-clock time. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stands still until a test moves it. */
export class ManualClock implements Clock {
  constructor(private current: number = Date.parse('2026-01-01T00:00:00.000Z')) {}

  now(): number {
    return this.current;
  }

  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.current += ms;
  }

  /** Jumps to an absolute instant. */
  set(ms: number): void {
    this.current = ms;
  }
}

const DAY_MS = 86_400_000;
/** 10000-01-01T00:00:00.000Z: from there on toISOString writes six-digit years. */
const YEAR_10000 = 253_402_300_800_000;

const twoDigits = (value: number) => (value < 10 ? `0${value}` : `${value}`);
const threeDigits = (value: number) =>
  value < 10 ? `00${value}` : value < 100 ? `0${value}` : `${value}`;

/** Formats epoch milliseconds as ISO 8601 UTC, passing null through. */
export function toIso(ms: number): string;
export function toIso(ms: number | null): string | null;
export function toIso(ms: number | null): string | null {
  if (ms === null) return null;
  // Every timestamp of every answer passes through here; V8's toISOString formats through
  // printf and takes several times as long. Instants outside whole milliseconds of the years
  // 1970 to 9999 are left to it, so the text is the same for every input.
  return Number.isInteger(ms) && ms >= 0 && ms < YEAR_10000
    ? formatIso(ms)
    : new Date(ms).toISOString();
}

/**
 * `toISOString` for a whole, non-negative millisecond count before the year 10000. The calendar
 * date comes from the day number by the days-to-civil arithmetic of Howard Hinnant's "chrono-
 * compatible low-level date algorithms": years counted from 1 March, in 400-year eras.
 */
function formatIso(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  const dayMs = ms - days * DAY_MS;

  const sinceMarch0000 = days + 719_468;
  const era = Math.floor(sinceMarch0000 / 146_097);
  const dayOfEra = sinceMarch0000 - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

  const milliseconds = dayMs % 1000;
  const seconds = Math.floor(dayMs / 1000) % 60;
  const minutes = Math.floor(dayMs / 60_000) % 60;
  const hours = Math.floor(dayMs / 3_600_000);
  const date = `${year}-${twoDigits(month)}-${twoDigits(day)}`;
  const time = `${twoDigits(hours)}:${twoDigits(minutes)}:${twoDigits(seconds)}`;
  return `${date}T${time}.${threeDigits(milliseconds)}Z`;
}
