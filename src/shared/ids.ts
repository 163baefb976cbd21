/**
 * Public identifiers: a type prefix and 26 Crockford base32 characters, of which the first ten
 * encode the creation millisecond. Ids therefore sort by creation time as plain strings; within
 * one millisecond of one process they stay ordered because the random part is incremented.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.js';

export const ID_PREFIXES = {
  user: 'usr',
  course: 'crs',
  enrollment: 'enr',
  certification: 'cert',
  subscription: 'sub',
  event: 'evt',
  webhook: 'whk',
  delivery: 'dlv',
  apiKey: 'key',
  attempt: 'att',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ID_BODY = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Random digits drawn at a time: one draw serves this many new milliseconds. */
const RANDOM_POOL_IDS = 256;
const RANDOM_DIGITS = 16;

/** Makes ids from a clock and a source of random bytes. */
export class IdGenerator {
  private lastTime = -1;
  private lastRandom: number[] = [];
  private pool: Uint8Array = new Uint8Array(0);
  private pooled = 0;

  constructor(
    private readonly clock: Clock,
    private readonly random: (size: number) => Uint8Array = randomBytes,
  ) {}

  /** A new id of the given kind, e.g. `usr_01JD…`. */
  next(kind: IdKind): string {
    return `${ID_PREFIXES[kind]}_${this.body()}`;
  }

  private body(): string {
    const time = this.clock.now();
    if (time <= this.lastTime) {
      this.increment();
    } else {
      this.lastTime = time;
      this.lastRandom = Array.from(this.randomDigitBytes(), (byte) => byte & 31);
    }
    return encodeTime(this.lastTime) + this.lastRandom.map((d) => ALPHABET[d]).join('');
  }

  /**
   * The next RANDOM_DIGITS random bytes. They are drawn RANDOM_POOL_IDS times as many at once:
   * a busy process starts a new millisecond for nearly every id, and one draw per id cost more
   * than the rest of making it.
   */
  private randomDigitBytes(): Uint8Array {
    if (this.pooled + RANDOM_DIGITS > this.pool.length) {
      this.pool = this.random(RANDOM_DIGITS * RANDOM_POOL_IDS);
      this.pooled = 0;
    }
    const bytes = this.pool.subarray(this.pooled, this.pooled + RANDOM_DIGITS);
    this.pooled += RANDOM_DIGITS;
    return bytes;
  }

  private increment(): void {
    for (let i = this.lastRandom.length - 1; i >= 0; i--) {
      const digit = (this.lastRandom[i] ?? 0) + 1;
      this.lastRandom[i] = digit & 31;
      if (digit < 32) return;
    }
    // The random part wrapped around: borrow the next millisecond so order still holds.
    this.lastTime += 1;
  }
}

function encodeTime(ms: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** Whether `value` looks like an id of that kind; used to answer 404 early for garbage ids. */
export function isId(kind: IdKind, value: string): boolean {
  const prefix = `${ID_PREFIXES[kind]}_`;
  return value.startsWith(prefix) && ID_BODY.test(value.slice(prefix.length));
}

/** A JSON-schema pattern for ids of one kind. */
export function idPattern(kind: IdKind): string {
  return `^${ID_PREFIXES[kind]}_[0-9A-HJKMNP-TV-Z]{26}$`;
}
