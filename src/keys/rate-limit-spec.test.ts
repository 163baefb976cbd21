import { describe, expect, it } from 'vitest';
import { MAX_RATE_LIMIT_PER_MINUTE, parseRateLimit } from './rate-limit-spec.js';

describe('parseRateLimit', () => {
  it('reads every unit as requests a minute', () => {
    expect(parseRateLimit('600/min')).toBe(600);
    expect(parseRateLimit('10/s')).toBe(600);
    expect(parseRateLimit(' 5000 / h ')).toBe(83);
  });

  it('accepts up to the maximum and refuses more, or nothing', () => {
    expect(parseRateLimit(`${MAX_RATE_LIMIT_PER_MINUTE}/min`)).toBe(MAX_RATE_LIMIT_PER_MINUTE);
    expect(() => parseRateLimit(`${MAX_RATE_LIMIT_PER_MINUTE + 1}/min`)).toThrow(
      /between 1 and 100000000 requests a minute/,
    );
    expect(() => parseRateLimit('1/h')).toThrow(/between 1 and/);
  });

  it('names the accepted forms when it cannot read the text', () => {
    expect(() => parseRateLimit('fast')).toThrow(/write it as 600\/min, 10\/s or 5000\/h/);
    expect(() => parseRateLimit('10/fortnight')).toThrow(/write it as/);
  });
});
