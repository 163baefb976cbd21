import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { IdGenerator, isId } from './ids.js';

describe('ids', () => {
  it('carry their type prefix and sort by creation time', () => {
    const clock = new ManualClock(Date.parse('2026-03-01T00:00:00Z'));
    const ids = new IdGenerator(clock);
    const made: string[] = [];
    for (let i = 0; i < 50; i++) {
      made.push(ids.next('user'));
      if (i % 7 === 0) clock.advance(1);
    }
    expect(made.every((id) => isId('user', id))).toBe(true);
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
  });

  it('stay ordered within one millisecond even when randomness would not', () => {
    const ids = new IdGenerator(new ManualClock(), (size) => new Uint8Array(size).fill(255));
    const first = ids.next('event');
    const second = ids.next('event');
    expect(second > first).toBe(true);
  });

  it('recognise only well-formed ids of their kind', () => {
    const id = new IdGenerator(new ManualClock()).next('course');
    expect(isId('course', id)).toBe(true);
    expect(isId('user', id)).toBe(false);
    expect(isId('course', `${id}x`)).toBe(false);
    expect(isId('course', 'crs_not-an-id')).toBe(false);
  });
});
