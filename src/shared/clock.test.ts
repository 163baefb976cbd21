import { describe, expect, it } from 'vitest';
import { toIso } from './clock.js';

describe('toIso', () => {
  it('writes what toISOString writes', () => {
    const instants = [
      0,
      1,
      999,
      86_399_999,
      86_400_000,
      951_782_400_000, // 2000-02-29
      951_868_800_000, // 2000-03-01
      4_107_542_399_999, // 2100-02-28T23:59:59.999Z
      4_107_542_400_000,
      253_402_300_799_999, // the last millisecond of 9999
      Date.parse('2026-12-03T19:06:12.586Z'),
    ];
    let seed = 42;
    for (let i = 0; i < 20_000; i++) {
      // A small linear congruential generator: the same instants on every run.
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      instants.push(Math.floor((seed / 2 ** 31) * 253_402_300_800_000));
    }
    for (const ms of instants) expect(toIso(ms)).toBe(new Date(ms).toISOString());
  });

  it('leaves instants outside 1970 to 9999 and fractions to Date', () => {
    for (const ms of [-1, -62_198_755_200_000, 253_402_300_800_000, 1.5]) {
      expect(toIso(ms)).toBe(new Date(ms).toISOString());
    }
    expect(() => toIso(Number.NaN)).toThrow(RangeError);
  });

  it('passes null through', () => {
    expect(toIso(null)).toBeNull();
  });
});
